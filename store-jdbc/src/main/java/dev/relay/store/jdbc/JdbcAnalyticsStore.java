package dev.relay.store.jdbc;

import dev.relay.core.analytics.ActiveUser;
import dev.relay.core.analytics.AnalyticsBatch;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.analytics.FigureCell;
import dev.relay.core.analytics.MessageCell;
import dev.relay.core.analytics.Period;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Analytics rollups in the message store's database (SQLite or PostgreSQL, the same SQL: upserts with
 * {@code ON CONFLICT}, integer division for buckets and weeks), so every node sharing the database answers with the
 * cluster's figures: counts summed over nodes, distinct users counted once (exactly: {@code COUNT(DISTINCT)}).
 * A batch is one transaction. Every method blocks on JDBC: the server calls them on its analytics thread and its
 * analytics readers, never on an event loop. Shares the message store's pool, which outlives it.
 */
final class JdbcAnalyticsStore implements AnalyticsStore {
    private static final String MESSAGE_KINDS = "kind IN ('" + MessageCell.ROOM + "','" + MessageCell.PRIVATE + "','"
            + MessageCell.BROADCAST + "')";

    private final DataSource pool;

    JdbcAnalyticsStore(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public void write(AnalyticsBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                writeMessages(c, batch);
                writeFigures(c, batch);
                writeActiveUsers(c, batch.activeUsers());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("analytics batch not written: " + e.getMessage(), e);
        }
    }

    private static void writeMessages(Connection c, AnalyticsBatch batch) throws SQLException {
        if (batch.messages().isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO analytics_messages "
                + "(node, minute, kind, room_id, user_id, count) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (node, minute, kind, room_id, user_id) DO UPDATE SET count = excluded.count")) {
            for (MessageCell cell : batch.messages()) {
                upsert.setString(1, batch.node());
                upsert.setLong(2, cell.minute());
                upsert.setString(3, cell.kind());
                upsert.setString(4, cell.roomId());
                upsert.setString(5, cell.userId());
                upsert.setLong(6, cell.count());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    private static void writeFigures(Connection c, AnalyticsBatch batch) throws SQLException {
        if (batch.figures().isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO analytics_figures "
                + "(node, minute, metric, dim, value) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (node, minute, metric, dim) DO UPDATE SET value = excluded.value")) {
            for (FigureCell cell : batch.figures()) {
                upsert.setString(1, batch.node());
                upsert.setLong(2, cell.minute());
                upsert.setString(3, cell.metric());
                upsert.setString(4, cell.dim());
                upsert.setLong(5, cell.value());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    private static void writeActiveUsers(Connection c, List<ActiveUser> users) throws SQLException {
        if (users.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO analytics_active_users "
                + "(day, user_id, month_start) VALUES (?, ?, ?) ON CONFLICT (day, user_id) DO NOTHING")) {
            for (ActiveUser user : users) {
                insert.setLong(1, user.day());
                insert.setString(2, user.userId());
                insert.setLong(3, Period.MONTH.start(user.day()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Override
    public List<KindCount> messages(long from, long to, int bucketMinutes, String roomId) {
        // minute is never negative (epoch minutes since 1970), so integer division floors.
        String sql = "SELECT (minute / ?) * ? AS bucket, kind, SUM(count) FROM analytics_messages "
                + "WHERE minute >= ? AND minute < ? AND " + MESSAGE_KINDS + roomFilter(roomId)
                + " GROUP BY bucket, kind ORDER BY bucket, kind";
        return query(sql, rows -> new KindCount(rows.getLong(1), rows.getString(2), rows.getLong(3)),
                with(roomId, bucketMinutes, bucketMinutes, from, to));
    }

    @Override
    public long activeUsers(long from, long to, String roomId) {
        String sql = "SELECT COUNT(DISTINCT user_id) FROM analytics_messages WHERE minute >= ? AND minute < ?"
                + " AND user_id <> ?" + roomFilter(roomId);
        return query(sql, rows -> rows.getLong(1), with(roomId, from, to, OTHER)).getFirst();
    }

    @Override
    public List<RoomRank> topRooms(long from, long to, int limit) {
        String sql = "SELECT room_id, SUM(count) AS messages, COUNT(DISTINCT CASE WHEN user_id <> ? THEN user_id END)"
                + " FROM analytics_messages WHERE minute >= ? AND minute < ? AND kind = ?"
                + " GROUP BY room_id ORDER BY messages DESC, room_id LIMIT ?";
        return query(sql, rows -> new RoomRank(rows.getString(1), rows.getLong(2), rows.getLong(3)),
                List.of(OTHER, from, to, MessageCell.ROOM, limit));
    }

    @Override
    public List<UserRank> topUsers(long from, long to, String roomId, int limit) {
        String sql = "SELECT user_id, SUM(count) AS messages FROM analytics_messages WHERE minute >= ? AND minute < ?"
                + " AND user_id <> ? AND " + MESSAGE_KINDS + roomFilter(roomId)
                + " GROUP BY user_id ORDER BY messages DESC, user_id LIMIT ?";
        List<Object> parameters = new ArrayList<>(with(roomId, from, to, OTHER));
        parameters.add(limit);
        return query(sql, rows -> new UserRank(rows.getString(1), rows.getLong(2)), parameters);
    }

    @Override
    public Map<String, Long> figureTotals(long from, long to, String metric) {
        Map<String, Long> totals = new TreeMap<>();
        query("SELECT dim, SUM(value) FROM analytics_figures WHERE minute >= ? AND minute < ? AND metric = ?"
                        + " GROUP BY dim", rows -> totals.put(rows.getString(1), rows.getLong(2)),
                List.of(from, to, metric));
        return totals;
    }

    @Override
    public List<Point> figurePeaks(long from, long to, int bucketMinutes, String metric, String dim) {
        return query("SELECT (minute / ?) * ? AS bucket, MAX(value) FROM analytics_figures"
                        + " WHERE minute >= ? AND minute < ? AND metric = ? AND dim = ? GROUP BY bucket ORDER BY bucket",
                rows -> new Point(rows.getLong(1), rows.getLong(2)),
                List.of(bucketMinutes, bucketMinutes, from, to, metric, dim));
    }

    @Override
    public List<PeriodCount> activeUsersPer(Period period, long fromDay, long toDay) {
        String start = switch (period) {
            case DAY -> "day";
            // Epoch day 0 was a Thursday; days here are never negative, so % is a floor modulo.
            case WEEK -> "day - ((day + 3) % 7)";
            case MONTH -> "month_start";
        };
        return query("SELECT " + start + " AS period_start, COUNT(DISTINCT user_id) FROM analytics_active_users"
                        + " WHERE day >= ? AND day <= ? GROUP BY period_start ORDER BY period_start",
                rows -> new PeriodCount(rows.getLong(1), rows.getLong(2)), List.of(fromDay, toDay));
    }

    @Override
    public long deleteBefore(long minute, long day) {
        try (Connection c = pool.getConnection()) {
            long deleted = 0;
            for (String sql : List.of("DELETE FROM analytics_messages WHERE minute < ?",
                    "DELETE FROM analytics_figures WHERE minute < ?",
                    "DELETE FROM analytics_active_users WHERE day < ?")) {
                try (PreparedStatement delete = c.prepareStatement(sql)) {
                    delete.setLong(1, sql.contains("day <") ? day : minute);
                    deleted += delete.executeUpdate();
                }
            }
            return deleted;
        } catch (SQLException e) {
            throw new IllegalStateException("analytics retention failed: " + e.getMessage(), e);
        }
    }

    private static String roomFilter(String roomId) {
        return roomId == null ? "" : " AND kind = '" + MessageCell.ROOM + "' AND room_id = ?";
    }

    /** The parameters in order, the room last when there is one (it follows the fixed conditions). */
    private static List<Object> with(String roomId, Object... fixed) {
        List<Object> parameters = new ArrayList<>(List.of(fixed));
        if (roomId != null) {
            parameters.add(roomId);
        }
        return parameters;
    }

    private interface Row<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row, List<Object> parameters) {
        try (Connection c = pool.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                Object parameter = parameters.get(i);
                if (parameter instanceof String text) {
                    select.setString(i + 1, text);
                } else {
                    select.setLong(i + 1, ((Number) parameter).longValue());
                }
            }
            List<T> out = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(row.read(rows));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("analytics query failed: " + e.getMessage(), e);
        }
    }
}
