package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.WsClient;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Room messages written as a client would through an outage (each retried with the same id until acknowledged),
 * and what readers then saw of them: the figures the outage tests print and require to be zero.
 */
final class AcknowledgedTraffic {
    /** The client's message id -> the seq its ack carried. */
    final Map<String, Long> acked = new ConcurrentHashMap<>();
    final AtomicInteger refusals = new AtomicInteger();
    private final int perWriter;
    private final CountDownLatch aThirdWritten;

    AcknowledgedTraffic(int writers, int perWriter) {
        this.perWriter = perWriter;
        this.aThirdWritten = new CountDownLatch(writers);
    }

    /** Starts a writer on its own thread; its ids are {@code name-0}, {@code name-1}... */
    Thread write(WsClient writer, String name) {
        return Thread.ofPlatform().start(() -> {
            for (int i = 0; i < perWriter; i++) {
                String id = name + "-" + i;
                while (true) {
                    writer.send(Map.of("type", "room_message", "room_id", "general", "id", id, "content", id));
                    JsonNode answer = writer.await(m -> id.equals(m.path("data").path("ref").asText()),
                            "the answer to " + id);
                    if ("ack".equals(answer.path("type").asText())) {
                        acked.put(id, answer.path("data").path("seq").asLong());
                        break;
                    }
                    refusals.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a client's retry backoff
                }
                if (i == perWriter / 3) {
                    aThirdWritten.countDown();
                }
            }
        });
    }

    boolean awaitAThirdWritten() throws InterruptedException {
        return aThirdWritten.await(30, TimeUnit.SECONDS);
    }

    /**
     * Reads as many room messages as were acknowledged, requiring them in seq order without gaps, and counts the
     * acknowledged ones the reader never saw (or saw under another seq) and the ones it saw twice.
     */
    Audit readBy(WsClient reader) {
        Map<String, Long> seen = new LinkedHashMap<>();
        int duplicates = 0;
        long lastSeq = -1;
        while (seen.size() < acked.size()) {
            JsonNode message = reader.awaitType("room_message");
            long seq = message.path("seq").asLong();
            assertThat(seq).as("in seq order, no gaps").isEqualTo(lastSeq < 0 ? seq : lastSeq + 1);
            lastSeq = seq;
            if (seen.put(message.path("content").asText(), seq) != null) {
                duplicates++;
            }
        }
        long lost = acked.entrySet().stream().filter(ack -> !ack.getValue().equals(seen.get(ack.getKey()))).count();
        return new Audit(seen.size(), lost, duplicates);
    }

    record Audit(int seen, long lost, int duplicates) {
    }
}
