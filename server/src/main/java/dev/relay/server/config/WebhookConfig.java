package dev.relay.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One item of {@code webhooks:}: where to POST which events, signed with which secret.
 *
 * @param events           event names to send ({@link #EVENTS}); empty: all of them
 * @param rooms            glob patterns ({@code *} any run of characters, {@code ?} one) a room event's room must
 *                         match; empty: every room. Events without a room (user_online, user_offline, broadcast) are
 *                         not filtered by room
 * @param secret           HMAC-SHA256 key of the {@code X-Relay-Signature} (and, Pusher-compatible, the
 *                         {@code X-Pusher-Signature}) header
 * @param batchDelay       how long the first event of a batch waits for others to join it; zero sends each at once
 * @param timeout          how long one POST may take before it counts as failed
 * @param pusherKey        the {@code X-Pusher-Key} header of Pusher-compatible mode (the app key the handler expects)
 * @param maxAttempts      tries per delivery, the first included (1: no retry)
 * @param retryDelay       the wait before the second try; each later wait is four times the one before, with jitter
 * @param queueSize        events waiting for this webhook (batched or not); past it new events are dropped and counted
 */
public record WebhookConfig(URI url, List<String> events, List<String> rooms, String secret, Duration batchDelay,
                            Duration timeout, boolean pusherCompatible, Optional<String> pusherKey, int maxAttempts,
                            Duration retryDelay, int queueSize) {
    /** The events a webhook may ask for: every event of the stream. */
    public static final Set<String> EVENTS = Set.of("room_created", "room_deleted", "room_occupied", "room_vacated",
            "member_joined", "member_left", "user_online", "user_offline", "user_status", "room_message",
            "private_message", "broadcast");
    public static final Duration DEFAULT_BATCH_DELAY = Duration.ofMillis(50);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** 8 s, then 32 s, 128 s and 512 s: five tries over about eleven minutes. */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(8);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final int DEFAULT_QUEUE_SIZE = 10_000;

    public WebhookConfig {
        Objects.requireNonNull(url, "url");
        events = List.copyOf(events);
        rooms = List.copyOf(rooms);
        Objects.requireNonNull(secret, "secret");
    }

    /** Reads one item of {@code webhooks:}. */
    static WebhookConfig read(MappingFields fields) throws BadValue {
        URI url = fields.url("url");
        List<String> events = fields.list("events");
        for (String event : events) {
            if (event.equals("file_uploaded")) {
                throw new BadValue("events: file_uploaded is not emitted yet (Relay has no file uploads)");
            }
            if (!EVENTS.contains(event)) {
                throw new BadValue("events: " + RawValue.quote(event) + " is not an event; expected some of "
                        + String.join(", ", EVENTS.stream().sorted().toList()));
            }
        }
        List<String> rooms = fields.list("rooms");
        String secret = fields.required("secret");
        Duration batchDelay = fields.duration("batch_delay", DEFAULT_BATCH_DELAY);
        Duration timeout = fields.duration("timeout", DEFAULT_TIMEOUT);
        boolean pusher = fields.bool("pusher_compatible", false);
        Optional<String> pusherKey = fields.optional("pusher_key");
        if (pusher && pusherKey.isEmpty()) {
            throw new BadValue("pusher_key: required with pusher_compatible: true (sent as X-Pusher-Key)");
        }
        int maxAttempts = fields.integer("max_attempts", DEFAULT_MAX_ATTEMPTS, 1, 20);
        Duration retryDelay = fields.duration("retry_delay", DEFAULT_RETRY_DELAY);
        int queueSize = fields.integer("queue_size", DEFAULT_QUEUE_SIZE, 1, 10_000_000);
        return new WebhookConfig(url, events, rooms, secret, batchDelay, timeout, pusher, pusherKey, maxAttempts,
                retryDelay, queueSize);
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "WebhookConfig[url=" + url + ", events=" + events + ", rooms=" + rooms + "]";
    }
}
