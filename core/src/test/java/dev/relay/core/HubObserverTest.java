package dev.relay.core;

import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.session.Session;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What the hub and its lanes report to an observer: connections, rooms, accepted and refused messages, flushes. */
class HubObserverTest extends HubTestSupport {
    private final Recorder recorder = new Recorder();

    @Override
    HubObserver observer() {
        return recorder;
    }

    /** Keeps every event as a line of text, and the flush reports apart. */
    static final class Recorder implements HubObserver {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final List<Long> latencies = new CopyOnWriteArrayList<>();
        volatile boolean timed;

        @Override
        public void connected(Session session) {
            events.add("connected " + session.userId());
        }

        @Override
        public void joined(Session session, String roomId) {
            events.add("joined " + session.userId() + " " + roomId);
        }

        @Override
        public void left(Session session, String roomId) {
            events.add("left " + session.userId() + " " + roomId);
        }

        @Override
        public void accepted(String userId, String type, String roomId) {
            events.add("accepted " + userId + " " + type + " " + roomId);
        }

        @Override
        public void refused(Session session, ErrorCode code) {
            events.add("refused " + session.userId() + " " + code.code());
        }

        @Override
        public boolean timesDeliveries() {
            return timed;
        }

        @Override
        public void flushed(int count, long written, long flushedNanos, long[] acceptedNanos, int deliveries) {
            writes.addAndGet(count);
            bytes.addAndGet(written);
            if (timed) {
                for (int i = 0; i < deliveries; i++) {
                    latencies.add(flushedNanos - acceptedNanos[i]);
                }
            }
        }
    }

    @Test
    void reportsTheConnectionAndItsFirstRoomBeforeAnythingElse() {
        connect(loop1, "alice", "general");

        assertThat(recorder.events).containsExactly("connected alice", "joined alice general");
    }

    @Test
    void reportsJoinsAndLeavesByMessageAndByDisconnecting() {
        Client alice = connect(loop1, "alice", "general");
        recorder.events.clear();

        alice.send(joinRoom("j", "support"));
        alice.send(leaveRoom("l", "support"));
        alice.send(joinRoom("j2", "announcements"));
        alice.disconnect();

        assertThat(recorder.events).containsExactly("joined alice support", "left alice support",
                "joined alice announcements", "left alice general", "left alice announcements");
    }

    @Test
    void reportsEachAcceptedMessageOnceWithItsTypeAndRoom() {
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        connect(loop3, "carol", "general");
        recorder.events.clear();

        alice.send(roomMessage("general", "hi"));
        alice.send(privateMessage("bob", "psst"));
        alice.sendBinary(new byte[]{1, 2});
        hub().publish(admin("ops"), broadcast("maintenance"));
        syncAll();

        assertThat(recorder.events).containsExactly("accepted alice room_message general",
                "accepted alice private_message null", "accepted alice binary null", "accepted ops broadcast null");
    }

    @Test
    void reportsRefusalsWithTheirCodeAndDoesNotCountThemAsAccepted() {
        configure(settings -> settings.rateLimitPerMinute = 1);
        Client alice = connect(loop1, "alice", "general");
        recorder.events.clear();

        alice.send(roomMessage("general", "the only one this minute"));
        alice.send(roomMessage("general", "one too many"));

        assertThat(recorder.events)
                .containsExactly("accepted alice room_message general", "refused alice rate_limited");
    }

    @Test
    void countsAWritePerRecipientAcrossLoops() {
        Client alice = connect(loop1, "alice", "general");
        connect(loop1, "bob", "general");
        connect(loop2, "carol", "general");
        connect(loop3, "dave", "support");
        recorder.writes.set(0);
        recorder.bytes.set(0);

        alice.send(roomMessage("general", "to three"));

        assertThat(recorder.writes).hasValue(3);
        assertThat(recorder.bytes).as("a test frame's length is its content's bytes")
                .hasValue(3L * "to three".length());
    }

    @Test
    void timesADeliveryFromItsAcceptanceToTheFlushOfItsBatch() {
        recorder.timed = true;
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        recorder.latencies.clear();
        CountDownLatch busy = loop2.block();

        alice.sendNoSync(roomMessage("general", "waits on loop 2"));
        loop1.sync();
        nanos.advance(Duration.ofMillis(7));
        busy.countDown();
        syncAll();

        // Loop 1 flushed before the clock moved; loop 2 flushed 7 ms after the message was queued on it.
        assertThat(recorder.latencies).containsExactlyInAnyOrder(0L, Duration.ofMillis(7).toNanos());
    }

    @Test
    void countsTheDeliveriesWaitingOnBusyLoops() {
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        CountDownLatch busy = loop2.block();

        alice.sendNoSync(roomMessage("general", "one"));
        alice.sendNoSync(roomMessage("general", "two"));
        loop1.sync();
        assertThat(hub().queries().queuedDeliveries()).as("two waiting on loop 2").isEqualTo(2);

        busy.countDown();
        syncAll();
        assertThat(hub().queries().queuedDeliveries()).isZero();
    }

    @Test
    void untimedLanesReportWritesWithoutReadingTheClock() {
        Client alice = connect(loop1, "alice", "general");
        recorder.writes.set(0);
        nanos.advance(Duration.ofSeconds(1));

        alice.send(roomMessage("general", "untimed"));

        assertThat(recorder.writes).hasValue(1);
        assertThat(recorder.latencies).isEmpty();
    }
}
