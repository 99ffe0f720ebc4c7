package dev.relay.core.event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EventStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private EventStream stream;

    @AfterEach
    void close() {
        if (stream != null) {
            stream.close();
        }
    }

    private static RelayEvent online(int n) {
        return new RelayEvent.UserOnline("user" + n, Instant.EPOCH);
    }

    private static EventListener listener(String name, Consumer<RelayEvent> onEvent) {
        return new EventListener() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void onEvent(RelayEvent event) {
                onEvent.accept(event);
            }
        };
    }

    @Test
    void aBatchingListenerIsNeverWokenYetGetsEverythingInOrderAndItsLastEventsOnClose() {
        List<RelayEvent> got = new CopyOnWriteArrayList<>();
        EventListener batching = new EventListener() {
            @Override
            public String name() {
                return "batching";
            }

            @Override
            public void onEvent(RelayEvent event) {
                got.add(event);
            }

            @Override
            public Duration batchDelay() {
                return Duration.ofMillis(50);
            }
        };
        stream = new EventStream(List.of(batching), 1000);
        List<RelayEvent> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(online(i));
            stream.publish(sent.getLast());
        }
        await().atMost(WAIT).until(() -> got.size() == 100);
        assertThat(got).containsExactlyElementsOf(sent);

        RelayEvent last = online(100);
        stream.publish(last);
        stream.close(); // stopping wakes it: what was queued is handed over before the thread ends
        assertThat(got).endsWith(last);
    }

    @Test
    void aSlowListenerDropsExactlyWhatExceedsItsQueueWhileTheOthersGetEverything() throws Exception {
        int capacity = 8;
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<RelayEvent> slowGot = new CopyOnWriteArrayList<>();
        List<RelayEvent> fastGot = new CopyOnWriteArrayList<>();
        stream = new EventStream(List.of(
                listener("slow", event -> {
                    slowStarted.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    slowGot.add(event);
                }),
                listener("fast", fastGot::add)), capacity);

        stream.publish(online(0));
        assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue(); // the slow drain holds event 0, its queue is empty
        for (int i = 1; i <= capacity + 5; i++) {
            stream.publish(online(i)); // never blocks, though the slow listener is stuck
            int sent = i + 1;
            // One at a time, so the fast listener's queue (as small) never fills: only the slow one's may.
            await().atMost(WAIT).until(() -> fastGot.size() == sent);
        }

        ListenerStats slow = stream.stats().get(0);
        assertThat(slow.listener()).isEqualTo("slow");
        assertThat(slow.dropped()).isEqualTo(5);
        assertThat(slow.queued()).isEqualTo(capacity);
        assertThat(stream.stats().get(1).dropped()).isZero();

        release.countDown();
        await().atMost(WAIT).until(() -> slowGot.size() == capacity + 1);
        // What it kept is the oldest: the first event and the queue's worth after it, in order.
        List<RelayEvent> expected = new ArrayList<>();
        for (int i = 0; i <= capacity; i++) {
            expected.add(online(i));
        }
        assertThat(slowGot).containsExactlyElementsOf(expected);
        await().atMost(WAIT).until(() -> stream.stats().get(0).delivered() == capacity + 1);
    }

    @Test
    void eachListenerSeesTheEventsInTheOrderTheyWerePublished() {
        List<RelayEvent> got = new CopyOnWriteArrayList<>();
        stream = new EventStream(List.of(listener("ordered", got::add)), EventStream.DEFAULT_CAPACITY);
        List<RelayEvent> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            RelayEvent event = online(i);
            sent.add(event);
            stream.publish(event);
        }
        await().atMost(WAIT).until(() -> got.size() == sent.size());
        assertThat(got).containsExactlyElementsOf(sent);
    }

    @Test
    void publishersOnManyThreadsLoseNothingThatFits() throws Exception {
        // Not a CopyOnWriteArrayList: 40,000 copies of a growing array took longer than the wait on a loaded machine.
        Set<String> got = ConcurrentHashMap.newKeySet();
        AtomicInteger received = new AtomicInteger();
        stream = new EventStream(List.of(listener("many", event -> {
            got.add(((RelayEvent.UserOnline) event).userId());
            received.incrementAndGet();
        })), 40_000);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int base = t * 10_000;
            publishers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    stream.publish(online(base + i));
                    if (i % 1000 == 0) {
                        Thread.yield(); // let the drain go idle now and then, so wake-ups are exercised
                    }
                }
            }));
        }
        for (Thread publisher : publishers) {
            publisher.join();
        }
        await().atMost(WAIT).until(() -> received.get() == 40_000);
        assertThat(stream.stats().get(0).dropped()).isZero();
        assertThat(got).as("no duplicates").hasSize(40_000);
    }

    @Test
    void aThrowingListenerIsCountedAndKeepsGettingEvents() {
        List<RelayEvent> got = new CopyOnWriteArrayList<>();
        stream = new EventStream(List.of(listener("flaky", event -> {
            if (((RelayEvent.UserOnline) event).userId().equals("user1")) {
                throw new IllegalStateException("boom");
            }
            got.add(event);
        })), 16);
        for (int i = 0; i < 3; i++) {
            stream.publish(online(i));
        }
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertThat(got).containsExactly(online(0), online(2));
        ListenerStats stats = stream.stats().get(0);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.delivered()).isEqualTo(2);
        assertThat(stats.dropped()).isZero();
    }

    @Test
    void closingDeliversWhatIsQueuedThenDropsWhatFollows() {
        List<RelayEvent> got = new CopyOnWriteArrayList<>();
        stream = new EventStream(List.of(listener("closing", got::add)), 100);
        for (int i = 0; i < 50; i++) {
            stream.publish(online(i));
        }
        stream.close(WAIT);
        assertThat(got).hasSize(50);
        stream.publish(online(50));
        assertThat(stream.stats().get(0).dropped()).isEqualTo(1);
    }

    @Test
    void listenerNamesAreUnique() {
        assertThatThrownBy(() -> new EventStream(List.of(listener("same", e -> { }), listener("same", e -> { })), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same");
    }

    @Test
    void eventsCarryTheirWireNameFirstThenIdsThenTimestamp() {
        RelayEvent joined = new RelayEvent.MemberJoined("general", "alice", Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(joined.fields()).containsExactly(
                java.util.Map.entry("name", "member_joined"),
                java.util.Map.entry("room_id", "general"),
                java.util.Map.entry("user_id", "alice"),
                java.util.Map.entry("timestamp", dev.relay.core.protocol.Timestamps.format(joined.at())));
        assertThat(new RelayEvent.RoomMessage("m1", "general", "bob", 7, "e1", "hi", Instant.EPOCH).fields())
                .containsEntry("name", "room_message").containsEntry("seq", 7L).containsEntry("epoch", "e1");
    }
}
