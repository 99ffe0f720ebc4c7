package dev.relay.engine.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class InboundWorkerTest {
    @Test
    void payloads_are_handed_over_in_order_up_to_the_capacity_and_one_past_it_is_dropped_and_counted()
            throws Exception {
        InboundWorker worker = new InboundWorker("test-inbound");
        try {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            worker.execute("c", () -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            busy.await();
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
}
