package dev.relay.engine.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class InboundWorkerTest {
    @Test
    void payloads_are_handed_over_in_order_up_to_the_capacity_and_one_past_it_is_dropped_and_counted()
            throws Exception {
        InboundWorker worker = new InboundWorker("test-inbound", Runnable::run);
        try {
            CountDownLatch release = block(worker);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            for (int i = 0; i < InboundWorker.CAPACITY; i++) {
                int n = i;
                worker.execute("c", () -> ran.add(n));
            }
            assertThat(worker.dropped()).as("exactly at capacity: nothing dropped").isZero();
            worker.execute("c", () -> ran.add(-1));
            assertThat(worker.dropped()).as("one past it").isEqualTo(1);

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == InboundWorker.CAPACITY);
            assertThat(ran).isSorted().doesNotContain(-1);
        } finally {
            worker.close();
        }
    }

    @Test
    void payloads_already_waiting_share_one_together_run_up_to_the_run_limit_and_none_waits_for_a_later_one()
            throws Exception {
        AtomicInteger runs = new AtomicInteger();
        InboundWorker worker = new InboundWorker("test-inbound", work -> {
            runs.incrementAndGet();
            work.run();
        });
        try {
            CountDownLatch release = block(worker);
            int waiting = InboundWorker.RUN_LIMIT + 5;
            List<Integer> runOf = new CopyOnWriteArrayList<>();
            for (int i = 0; i < waiting; i++) {
                worker.execute("c", () -> runOf.add(runs.get()));
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> runOf.size() == waiting);

            // The blocking payload opened run 1 and counts towards its limit.
            assertThat(runOf.subList(0, InboundWorker.RUN_LIMIT - 1)).containsOnly(1);
            assertThat(runOf.subList(InboundWorker.RUN_LIMIT - 1, waiting)).containsOnly(2);

            worker.execute("c", () -> runOf.add(runs.get()));
            await().atMost(Duration.ofSeconds(10)).until(() -> runOf.size() == waiting + 1);
            assertThat(runOf.getLast()).as("a payload arriving after the queue ran dry starts a run of its own")
                    .isEqualTo(3);
        } finally {
            worker.close();
        }
    }

    @Test
    void a_payload_that_throws_does_not_stop_the_ones_after_it() {
        InboundWorker worker = new InboundWorker("test-inbound", Runnable::run);
        try {
            List<String> ran = new CopyOnWriteArrayList<>();
            worker.execute("c", () -> {
                throw new IllegalStateException("unreadable");
            });
            worker.execute("c", () -> ran.add("next"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("next"));
        } finally {
            worker.close();
        }
    }

    /** Keeps the worker busy with one payload until the returned latch is counted down. */
    private static CountDownLatch block(InboundWorker worker) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        worker.execute("c", () -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        busy.await();
        return release;
    }
}
