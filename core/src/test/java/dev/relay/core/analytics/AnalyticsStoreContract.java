package dev.relay.core.analytics;

import dev.relay.core.analytics.AnalyticsStore.KindCount;
import dev.relay.core.analytics.AnalyticsStore.PeriodCount;
import dev.relay.core.analytics.AnalyticsStore.Point;
import dev.relay.core.analytics.AnalyticsStore.RoomRank;
import dev.relay.core.analytics.AnalyticsStore.UserRank;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link AnalyticsStore} does, memory or SQL: batches are absolute values per node (a batch written again
 * changes nothing, a later value replaces an earlier), nodes add up, distinct users are counted once across nodes and
 * minutes, the other bucket counts in totals but never as a user, and ranges, buckets and periods cut where they
 * say. Each store's test extends this; a database's adds its restart.
 */
public abstract class AnalyticsStoreContract {
    /** A minute inside the store's keep (memory keeps a day back from its clock): 2026-03-01T08:00Z. */
    protected static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
    protected static final long M0 = T0.getEpochSecond() / 60;
    protected static final long D0 = LocalDate.parse("2026-03-01").toEpochDay();

    /** A store that starts empty, whose clock (if it has one) reads {@link #T0}; the subclass closes it. */
    protected abstract AnalyticsStore store();

    protected static MessageCell room(long minute, String roomId, String userId, long count) {
        return new MessageCell(minute, MessageCell.ROOM, roomId, userId, count);
    }

    protected static AnalyticsBatch batch(String node, List<MessageCell> messages, List<FigureCell> figures,
                                          List<ActiveUser> users) {
        return new AnalyticsBatch(node, messages, figures, users);
    }

    @Test
    void aCellIsItsNodesLatestValueAndNodesAddUp() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(room(M0, "general", "alice", 2)), List.of(), List.of()));
        store.write(batch("a", List.of(room(M0, "general", "alice", 5)), List.of(), List.of())); // replaces 2
        store.write(batch("a", List.of(room(M0, "general", "alice", 5)), List.of(), List.of())); // again: no change
        store.write(batch("b", List.of(room(M0, "general", "alice", 3),
                new MessageCell(M0, MessageCell.PRIVATE, "", "bob", 4)), List.of(), List.of()));

        assertThat(store.messages(M0, M0 + 1, 1, null)).containsExactlyInAnyOrder(
                new KindCount(M0, MessageCell.ROOM, 8), new KindCount(M0, MessageCell.PRIVATE, 4));
        assertThat(store.messages(M0, M0 + 1, 1, "general")).containsExactly(new KindCount(M0, MessageCell.ROOM, 8));
        assertThat(store.activeUsers(M0, M0 + 1, null)).isEqualTo(2); // alice on two nodes is one user
        assertThat(store.activeUsers(M0, M0 + 1, "general")).isEqualTo(1);
    }

    @Test
    void rangesAreFromInclusiveToExclusiveAndBucketsAlign() {
        AnalyticsStore store = store();
        long hour = M0 - M0 % 60;
        store.write(batch("a", List.of(room(hour - 1, "r", "u1", 1), room(hour, "r", "u1", 2),
                room(hour + 59, "r", "u2", 3), room(hour + 60, "r", "u3", 4)), List.of(), List.of()));

        assertThat(store.messages(hour, hour + 60, 60, null))
                .containsExactly(new KindCount(hour, MessageCell.ROOM, 5));
        assertThat(store.messages(hour - 1, hour + 61, 60, null)).containsExactly(
                new KindCount(hour - 60, MessageCell.ROOM, 1), new KindCount(hour, MessageCell.ROOM, 5),
                new KindCount(hour + 60, MessageCell.ROOM, 4));
        assertThat(store.activeUsers(hour, hour + 60, null)).isEqualTo(2);
        assertThat(store.messages(hour + 61, hour + 120, 1, null)).isEmpty();
    }

    @Test
    void onlineMakesAUserActiveWithoutBeingAMessage() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(new MessageCell(M0, MessageCell.ONLINE, "", "carol", 3)), List.of(),
                List.of()));

        assertThat(store.messages(M0, M0 + 1, 1, null)).isEmpty();
        assertThat(store.topUsers(M0, M0 + 1, null, 10)).isEmpty();
        assertThat(store.activeUsers(M0, M0 + 1, null)).isEqualTo(1);
    }

    @Test
    void theOtherBucketCountsInTotalsButNeverAsAUserOrRanked() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(room(M0, "r", "alice", 1), room(M0, AnalyticsStore.OTHER, AnalyticsStore.OTHER,
                7)), List.of(), List.of()));

        assertThat(store.messages(M0, M0 + 1, 1, null)).containsExactly(new KindCount(M0, MessageCell.ROOM, 8));
        assertThat(store.activeUsers(M0, M0 + 1, null)).isEqualTo(1);
        assertThat(store.topUsers(M0, M0 + 1, null, 10)).containsExactly(new UserRank("alice", 1));
    }

    @Test
    void topRoomsAndUsersRankByMessagesThenId() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(room(M0, "b-room", "u1", 3), room(M0, "b-room", "u2", 1),
                room(M0 + 1, "a-room", "u1", 4), room(M0, "c-room", "u3", 1),
                new MessageCell(M0, MessageCell.BROADCAST, "", "u3", 9)), List.of(), List.of()));

        assertThat(store.topRooms(M0, M0 + 2, 2)).containsExactly(new RoomRank("a-room", 4, 1),
                new RoomRank("b-room", 4, 2));
        assertThat(store.topUsers(M0, M0 + 2, null, 10)).containsExactly(new UserRank("u3", 10),
                new UserRank("u1", 7), new UserRank("u2", 1));
        assertThat(store.topUsers(M0, M0 + 2, "b-room", 10)).containsExactly(new UserRank("u1", 3),
                new UserRank("u2", 1));
    }

    @Test
    void totalsAddAcrossNodesAndMinutesPeaksTakeTheHighest() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(), List.of(new FigureCell(M0, FigureCell.ERRORS, "rate_limited", 2),
                new FigureCell(M0 + 1, FigureCell.ERRORS, "rate_limited", 1),
                new FigureCell(M0, FigureCell.PEAK_ONLINE, "", 5)), List.of()));
        store.write(batch("b", List.of(), List.of(new FigureCell(M0, FigureCell.ERRORS, "forbidden", 4),
                new FigureCell(M0, FigureCell.PEAK_ONLINE, "", 7),
                new FigureCell(M0 + 1, FigureCell.PEAK_ONLINE, "", 3)), List.of()));
        store.write(batch("b", List.of(), List.of(new FigureCell(M0, FigureCell.ERRORS, "forbidden", 6)), List.of()));

        assertThat(store.figureTotals(M0, M0 + 2, FigureCell.ERRORS))
                .isEqualTo(Map.of("rate_limited", 3L, "forbidden", 6L));
        assertThat(store.figureTotals(M0 + 1, M0 + 2, FigureCell.ERRORS)).isEqualTo(Map.of("rate_limited", 1L));
        assertThat(store.figurePeaks(M0, M0 + 2, 1, FigureCell.PEAK_ONLINE, ""))
                .containsExactly(new Point(M0, 7), new Point(M0 + 1, 3));
        assertThat(store.figurePeaks(M0, M0 + 2, 2, FigureCell.PEAK_ONLINE, "")).extracting(Point::value)
                .containsExactly(7L);
    }

    @Test
    void activeUsersAreDistinctPerDayWeekAndMonth() {
        AnalyticsStore store = store();
        // 2026-03-01 is a Sunday: its week started on Monday 2026-02-23.
        store.write(batch("a", List.of(), List.of(), List.of(new ActiveUser(D0, "alice"), new ActiveUser(D0, "bob"),
                new ActiveUser(D0 - 1, "alice"), new ActiveUser(D0 - 6, "carol"), new ActiveUser(D0 - 7, "dave"))));
        store.write(batch("b", List.of(), List.of(), List.of(new ActiveUser(D0, "alice")))); // once across nodes

        assertThat(store.activeUsersPer(Period.DAY, D0 - 1, D0))
                .containsExactly(new PeriodCount(D0 - 1, 1), new PeriodCount(D0, 2));
        assertThat(store.activeUsersPer(Period.WEEK, D0 - 13, D0)).containsExactly(
                new PeriodCount(D0 - 13, 1), new PeriodCount(D0 - 6, 3));
        assertThat(store.activeUsersPer(Period.MONTH, D0 - 28, D0)).containsExactly(
                new PeriodCount(D0 - 28, 3), new PeriodCount(D0, 2));
    }

    @Test
    void deletingBeforeForgetsOlderRowsOnly() {
        AnalyticsStore store = store();
        store.write(batch("a", List.of(room(M0 - 1, "r", "old", 1), room(M0, "r", "new", 1)),
                List.of(new FigureCell(M0 - 1, FigureCell.ERRORS, "forbidden", 1)),
                List.of(new ActiveUser(D0 - 1, "old"), new ActiveUser(D0, "new"))));

        assertThat(store.deleteBefore(M0, D0)).isEqualTo(3);
        assertThat(store.activeUsers(M0 - 1, M0 + 1, null)).isEqualTo(1);
        assertThat(store.figureTotals(M0 - 1, M0 + 1, FigureCell.ERRORS)).isEmpty();
        assertThat(store.activeUsersPer(Period.DAY, D0 - 1, D0)).containsExactly(new PeriodCount(D0, 1));
    }
}
