package dev.relay.server.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * POSTs alert changes as JSON to the configured URL, on a thread of its own with a bounded queue, retrying failed
 * attempts. A cooldown per alert keeps a flapping alert from flooding the receiver: within it, changes are held,
 * and when it ends the alert's latest state is sent, if it differs from the last one sent. {@link #changed} and
 * {@link #tick} are called from one thread (the operations thread).
 */
final class AlertWebhook implements Consumer<AlertChange>, AutoCloseable {
    static final int ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private record Sent(Instant at, boolean firing) {
    }

    private final URI url;
    private final Duration cooldown;
    private final Duration retryBackoff;
    private final Clock clock;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final ThreadPoolExecutor sender;
    private final Map<String, AlertChange> pending = new HashMap<>();
    private final Map<String, Sent> sent = new HashMap<>();

    /** @param retryBackoff wait before the second attempt; doubled before each further one */
    AlertWebhook(URI url, Duration cooldown, Duration retryBackoff, Clock clock) {
        this.url = url;
        this.cooldown = cooldown;
        this.retryBackoff = retryBackoff;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        // One sender, a short queue: alerts are few, and a receiver that is down must not pile them up in memory.
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), runnable -> {
            Thread thread = new Thread(runnable, "relay-alert-webhook");
            thread.setDaemon(true);
            return thread;
        }, (task, executor) -> LOG.warn("event=alert_webhook_dropped reason=queue_full url={}", url));
    }

    @Override
    public void accept(AlertChange change) {
        pending.put(change.alert(), change);
        trySend(change.alert());
    }

    /** Sends the changes held back by a cooldown that has ended. */
    void tick() {
        for (String alert : pending.keySet().toArray(String[]::new)) {
            trySend(alert);
        }
    }

    private void trySend(String alert) {
        AlertChange change = pending.get(alert);
        Sent last = sent.get(alert);
        if (last != null && last.firing() == change.firing()) {
            pending.remove(alert); // it flapped back to what the receiver already knows
            return;
        }
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.at().plus(cooldown))) {
            return;
        }
        pending.remove(alert);
        sent.put(alert, new Sent(now, change.firing()));
        String body = body(change);
        sender.execute(() -> post(change, body));
    }

    private String body(AlertChange change) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alert", change.alert());
        body.put("status", change.status());
        body.put("value", change.value());
        body.put("threshold", change.threshold());
        body.put("detail", change.detail());
        body.put("timestamp", Timestamps.format(change.at()));
        body.put("service", "relay");
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs on the sender thread, where waiting is allowed. */
    private void post(AlertChange change, String body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        Duration wait = retryBackoff;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            String outcome;
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    return;
                }
                outcome = "status=" + status;
            } catch (IOException e) {
                outcome = "error=\"" + e + "\"";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt == ATTEMPTS) {
                LOG.error("event=alert_webhook_failed alert={} status_sent={} attempts={} {}", change.alert(),
                        change.status(), ATTEMPTS, outcome);
                return;
            }
            LOG.warn("event=alert_webhook_retry alert={} attempt={} {}", change.alert(), attempt, outcome);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = wait.multipliedBy(2);
        }
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
