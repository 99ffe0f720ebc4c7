package dev.relay.server.observe;

import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-user rings: folding repeats, the bounds, the counters, and what reaches the audit sink when. */
class ActivityLogTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> audited = new ArrayList<>();
    private final ActivityLog log = new ActivityLog((user, event) ->
            audited.add(user + " " + event.type() + " x" + event.count()), clock);

    @Test
    void recordsDiscreteEventsAtOnceAndInOrder() {
        log.record("alice", ActivityEvent.CONNECT, "c1", null, null, "10.0.0.7:5000");
        log.record("alice", ActivityEvent.JOIN, "c1", "general", null, null);
        log.record("alice", ActivityEvent.DISCONNECT, "c1", null, 1000, null);

        assertThat(log.of("alice").orElseThrow().events()).extracting(ActivityEvent::type)
                .containsExactly("connect", "join", "disconnect");
        assertThat(audited).containsExactly("alice connect x1", "alice join x1", "alice disconnect x1");
        assertThat(log.of("bob")).isEmpty();
    }

    @Test
    void foldsRepeatedMessagesIntoOneEntryWrittenWhenTheRunEnds() {
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            log.record("alice", ActivityEvent.MESSAGE_SENT, null, "general", null, "room_message");
        }
        assertThat(audited).as("still folding").isEmpty();

        log.record("alice", ActivityEvent.MESSAGE_SENT, null, "support", null, "room_message");

        List<ActivityEvent> events = log.of("alice").orElseThrow().events();
        assertThat(events).hasSize(2);
        assertThat(events.getFirst().count()).isEqualTo(5);
        assertThat(events.getFirst().at()).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
        assertThat(events.getFirst().last()).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
        assertThat(audited).containsExactly("alice message_sent x5");
        assertThat(log.of("alice").orElseThrow().messagesSent()).isEqualTo(6);
    }

    @Test
    void aFoldedRunEndsAfterTheFoldWindow() {
        log.record("alice", ActivityEvent.RATE_LIMITED, "c1", null, null, null);
        clock.advance(ActivityLog.FOLD_WINDOW.minusNanos(1));
        log.record("alice", ActivityEvent.RATE_LIMITED, "c1", null, null, null);
        clock.advance(Duration.ofNanos(1));
        log.record("alice", ActivityEvent.RATE_LIMITED, "c1", null, null, null);

        assertThat(log.of("alice").orElseThrow().events()).extracting(ActivityEvent::count).containsExactly(2L, 1L);
        assertThat(log.of("alice").orElseThrow().rateLimited()).isEqualTo(3);
    }

    @Test
    void keepsTheLastEventsOfEachUser() {
        for (int i = 0; i < ActivityLog.EVENTS_PER_USER + 10; i++) {
            log.record("alice", ActivityEvent.JOIN, "c1", "room-" + i, null, null);
        }

        List<ActivityEvent> events = log.of("alice").orElseThrow().events();
        assertThat(events).hasSize(ActivityLog.EVENTS_PER_USER);
        assertThat(events.getFirst().roomId()).isEqualTo("room-10");
        assertThat(events.getLast().roomId()).isEqualTo("room-" + (ActivityLog.EVENTS_PER_USER + 9));
    }

    @Test
    void forgetsTheUsersSeenLongestAgoPastTheLimit() {
        log.record("first", ActivityEvent.CONNECT, "c", null, null, null);
        for (int i = 0; i < ActivityLog.MAX_USERS; i++) {
            clock.advance(Duration.ofMillis(1));
            log.record("user-" + i, ActivityEvent.CONNECT, "c", null, null, null);
        }

        assertThat(log.of("first")).isEmpty();
        assertThat(log.of("user-" + (ActivityLog.MAX_USERS - 1))).isPresent();
    }

    @Test
    void rendersTheRestAnswer() {
        log.record("alice", ActivityEvent.CONNECT, "c1", null, null, "10.0.0.7:5000");
        log.record("alice", ActivityEvent.MESSAGE_SENT, null, "general", null, "room_message");
        log.record("alice", ActivityEvent.MESSAGE_SENT, null, "general", null, "room_message");

        Map<String, Object> json = log.json("alice");

        assertThat(json).containsEntry("user_id", "alice").containsEntry("last_seen", "2026-01-01T00:00:00.000Z");
        assertThat(json.get("counts")).isEqualTo(Map.of("messages_sent", 2L, "rate_limited", 0L, "refused", 0L,
                "auth_failures", 0L));
        assertThat((List<?>) json.get("events")).hasSize(2);
        assertThat(log.json("nobody").get("events")).isEqualTo(List.of());
    }
}
