package dev.relay.server.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of a batch: Relay's {@code {"id","time_ms","events":[...]}} with each event's stream fields, or, for a
 * Pusher-compatible webhook, Pusher's {@code {"time_ms","events":[{"name","channel","user_id"}]}} with Pusher's event
 * names, so a handler written for Pusher reads it unchanged. Events of a batch stay in the order they happened.
 */
final class WebhookBodies {
    /** Relay's names to Pusher's, for the events Pusher has; the others keep Relay's name and fields. */
    private static final Map<String, String> PUSHER_NAMES = Map.of(
            "room_occupied", "channel_occupied",
            "room_vacated", "channel_vacated",
            "member_joined", "member_added",
            "member_left", "member_removed");

    private final ObjectMapper mapper;
    private final boolean pusher;

    WebhookBodies(ObjectMapper mapper, boolean pusher) {
        this.mapper = mapper;
        this.pusher = pusher;
    }

    byte[] body(String id, long timeMillis, List<Map<String, Object>> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!pusher) {
            body.put("id", id);
        }
        body.put("time_ms", timeMillis);
        body.put("events", pusher ? events.stream().map(WebhookBodies::pusherEvent).toList() : events);
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event fields are plain JSON values", e);
        }
    }

    private static Map<String, Object> pusherEvent(Map<String, Object> fields) {
        String name = (String) fields.get("name");
        String pusherName = PUSHER_NAMES.get(name);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("name", pusherName == null ? name : pusherName);
        if (fields.get("room_id") != null) {
            event.put("channel", fields.get("room_id"));
        }
        if (fields.get("user_id") != null) {
            event.put("user_id", fields.get("user_id"));
        }
        if (pusherName == null) {
            // No Pusher equivalent: the rest of Relay's fields, so nothing is lost to a handler that knows them.
            List<String> skip = new ArrayList<>(List.of("name", "room_id", "user_id"));
            fields.forEach((key, value) -> {
                if (!skip.contains(key)) {
                    event.put(key, value);
                }
            });
        }
        return event;
    }
}
