package dev.relay.core.analytics;

import dev.relay.core.event.RelayEvent;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorder with a clock the test moves: minutes, caps, absolute cells and the report of a window. */
class AnalyticsRecorderTest {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:10Z");
    private static final long M0 = T0.getEpochSecond() / 60;

    private final MutableClock clock = new MutableClock(T0);
    private final MemoryAnalyticsStore store = new MemoryAnalyticsStore(clock, Duration.ofDays(1));

    private static RelayEvent.RoomMessage roomMessage(String roomId, String userId, Instant at) {
        return new RelayEvent.RoomMessage("m", roomId, userId, 1, "e", "hi", at);
    }

    private void flush(AnalyticsRecorder recorder) {
        store.write(recorder.drain());
    }

    @Test
    void countsEachKindInItsMinuteAndWritesAbsoluteValues() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 100, 100);
        recorder.onEvent(roomMessage("general", "alice", clock.instant()));
        recorder.onEvent(new RelayEvent.PrivateMessage("p", "alice", "bob", "hi", clock.instant()));
        AnalyticsBatch first = recorder.drain();
        assertThat(first.messages()).containsExactlyInAnyOrder(
                new MessageCell(M0, MessageCell.ROOM, "general", "alice", 1),
                new MessageCell(M0, MessageCell.PRIVATE, "", "alice", 1));
        assertThat(first.activeUsers()).containsExactly(new ActiveUser(M0 / (24 * 60), "alice"));
        store.write(first);

        recorder.onEvent(roomMessage("general", "alice", clock.instant()));
        AnalyticsBatch second = recorder.drain();
        // Only the changed cell, with its total: writing it again (a retried batch) changes nothing.
        assertThat(second.messages()).containsExactly(new MessageCell(M0, MessageCell.ROOM, "general", "alice", 2));
        assertThat(second.activeUsers()).isEmpty(); // alice is already today's
        store.write(second);
        store.write(second);
        assertThat(new AnalyticsReport(store, clock, () -> 0).overview(Window.FIVE_MINUTES))
                .extractingByKey("messages").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("total", 3L).containsEntry("room", 2L).containsEntry("private", 1L);
    }

    @Test
    void aMinutePastItsCapCountsTheRestInTheOtherBucket() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 2, 100);
        recorder.onEvent(roomMessage("r1", "u1", clock.instant()));
        recorder.onEvent(roomMessage("r2", "u2", clock.instant()));
        recorder.onEvent(roomMessage("r3", "u3", clock.instant())); // a third cell: over the cap
        recorder.onEvent(roomMessage("r4", "u4", clock.instant()));
        recorder.onEvent(new RelayEvent.Broadcast("b", "u5", "hi", clock.instant()));
        recorder.onEvent(roomMessage("r1", "u1", clock.instant())); // an existing cell still counts as itself

        assertThat(recorder.drain().messages()).containsExactlyInAnyOrder(
                new MessageCell(M0, MessageCell.ROOM, "r1", "u1", 2),
                new MessageCell(M0, MessageCell.ROOM, "r2", "u2", 1),
                new MessageCell(M0, MessageCell.ROOM, AnalyticsStore.OTHER, AnalyticsStore.OTHER, 2),
                new MessageCell(M0, MessageCell.BROADCAST, "", AnalyticsStore.OTHER, 1));

        clock.advance(Duration.ofMinutes(1)); // a new minute has room again
        recorder.onEvent(roomMessage("r3", "u3", clock.instant()));
        assertThat(recorder.drain().messages()).containsExactly(
                new MessageCell(M0 + 1, MessageCell.ROOM, "r3", "u3", 1));
    }

    @Test
    void aLateEventCountsInAnOpenMinuteNeverAClosedOne() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 100, 100);
        recorder.onEvent(roomMessage("r", "u", clock.instant()));
        store.write(recorder.drain());
        clock.advance(Duration.ofMinutes(10));
        recorder.drain(); // closes M0
        recorder.onEvent(roomMessage("r", "u", T0)); // stamped in M0, which was written as 1 and is closed

        List<MessageCell> cells = recorder.drain().messages();
        // The only open minute is the current one (the ones between saw nothing): counted there, from zero.
        assertThat(cells).containsExactly(new MessageCell(M0 + 10, MessageCell.ROOM, "r", "u", 1));
    }

    @Test
    void observerCountersAndSamplesBecomeTheCurrentMinutesFigures() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 1, 100);
        recorder.connected(null);
        recorder.connected(null);
        recorder.refused(null, ErrorCode.RATE_LIMITED);
        long[] accepted = {0, 0};
        recorder.flushed(2, 10, TimeUnit.MILLISECONDS.toNanos(3), accepted, 2);
        recorder.sample(4, 6, Map.of("r1", 3));
        recorder.sample(2, 7, Map.of("r1", 1, "r2", 5)); // r2 is a second room: over the cap of 1
        AnalyticsBatch batch = recorder.drain();

        assertThat(batch.figures()).contains(
                new FigureCell(M0, FigureCell.CONNECTIONS_OPENED, "", 2),
                new FigureCell(M0, FigureCell.ERRORS, "rate_limited", 1),
                new FigureCell(M0, FigureCell.LATENCY, Integer.toString(LatencyBuckets.of(3_000_000)), 2),
                new FigureCell(M0, FigureCell.PEAK_ONLINE, "", 4),
                new FigureCell(M0, FigureCell.PEAK_CONNECTIONS, "", 7),
                new FigureCell(M0, FigureCell.PEAK_MEMBERS, "r1", 3));
        assertThat(batch.figures()).extracting(FigureCell::dim).doesNotContain("r2");
        store.write(batch);
        recorder.connected(null);
        store.write(recorder.drain()); // the counters are folded once: only the new connection is added

        Map<String, Object> overview = new AnalyticsReport(store, clock, () -> 9).overview(Window.HOUR);
        assertThat(overview.get("connections")).isEqualTo(Map.of("opened", 3L, "peak", 7L));
        Map<?, ?> users = (Map<?, ?>) overview.get("users");
        assertThat(users.get("online_now")).isEqualTo(9);
        assertThat(users.get("peak_online")).isEqualTo(4L);
        assertThat(overview.get("errors")).isEqualTo(Map.of("total", 1L, "by_code", Map.of("rate_limited", 1L)));
        Map<?, ?> latency = (Map<?, ?>) overview.get("latency_ms");
        assertThat((Double) latency.get("p50")).isBetween(3.0, 3.0 * 1.2);
    }

    @Test
    void windowsCutAtTheirStartAndLongWindowsCountPerHour() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 100, 100);
        recorder.onEvent(roomMessage("r", "early", clock.instant()));
        flush(recorder);
        clock.advance(Duration.ofMinutes(6));
        recorder.onEvent(roomMessage("r", "late", clock.instant()));
        flush(recorder);
        AnalyticsReport report = new AnalyticsReport(store, clock, () -> 0);

        Map<String, Object> fiveMinutes = report.overview(Window.FIVE_MINUTES);
        assertThat(((Map<?, ?>) fiveMinutes.get("users")).get("active")).isEqualTo(1L);
        assertThat((List<?>) ((Map<?, ?>) fiveMinutes.get("messages")).get("per_minute")).hasSize(5);
        Map<String, Object> hour = report.overview(Window.HOUR);
        assertThat(((Map<?, ?>) hour.get("users")).get("active")).isEqualTo(2L);
        assertThat(hour.get("from")).isEqualTo("2026-03-01T07:07:00.000Z");
        List<?> perHour = (List<?>) ((Map<?, ?>) report.overview(Window.WEEK).get("messages")).get("per_minute");
        assertThat(perHour).hasSize(7 * 24 + 1); // the window's hours, the partial first one included
        assertThat(perHour.getLast()).isEqualTo(Map.of("t", "2026-03-01T08:00:00.000Z", "count", 2L, "room", 2L,
                "private", 0L, "broadcast", 0L));
    }

    @Test
    void roomFiguresAndActiveUsersPerPeriod() {
        AnalyticsRecorder recorder = new AnalyticsRecorder(clock, 100, 100);
        recorder.onEvent(roomMessage("general", "alice", clock.instant()));
        recorder.onEvent(roomMessage("general", "bob", clock.instant()));
        recorder.onEvent(roomMessage("other", "carol", clock.instant()));
        recorder.onEvent(new RelayEvent.UserOnline("dave", clock.instant()));
        recorder.sample(4, 4, Map.of("general", 2));
        flush(recorder);
        AnalyticsReport report = new AnalyticsReport(store, clock, () -> 0);

        Map<String, Object> room = report.room("general", Window.HOUR);
        assertThat(room).containsEntry("room_id", "general").containsEntry("messages", 2L)
                .containsEntry("active_users", 2L).containsEntry("peak_members", 2L);
        assertThat((List<?>) room.get("top_users")).hasSize(2);
        Map<String, Object> daily = report.activeUsers(Period.DAY);
        List<?> series = (List<?>) daily.get("series");
        assertThat(series).hasSize(30);
        assertThat(series.getLast()).isEqualTo(Map.of("date", "2026-03-01", "active_users", 4L));
        assertThat(series.getFirst()).isEqualTo(Map.of("date", "2026-01-31", "active_users", 0L));
        List<?> monthly = (List<?>) report.activeUsers(Period.MONTH).get("series");
        assertThat(monthly.getFirst()).isEqualTo(Map.of("date", "2025-04-01", "active_users", 0L));
        assertThat(monthly.getLast()).isEqualTo(Map.of("date", "2026-03-01", "active_users", 4L));
        List<?> weekly = (List<?>) report.activeUsers(Period.WEEK).get("series");
        assertThat(weekly.getLast()).isEqualTo(Map.of("date", "2026-02-23", "active_users", 4L));
    }
}
