package dev.relay.server.testing;

import dev.relay.core.event.EventListener;
import dev.relay.core.event.RelayEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Keeps every event it is handed, as "name id id..." lines (no time, no message id) for readable assertions. */
public final class RecordingListener implements EventListener {
    private final String name;
    public final List<RelayEvent> events = new CopyOnWriteArrayList<>();

    public RecordingListener(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void onEvent(RelayEvent event) {
        events.add(event);
    }

    public static String line(RelayEvent event) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>(event.fields());
        fields.remove("timestamp");
        fields.remove("message_id");
        return String.join(" ", fields.values().stream().map(String::valueOf).toList());
    }

    public List<String> lines() {
        return events.stream().map(RecordingListener::line).toList();
    }

    /** The lines of the events about {@code user} or {@code room}, once {@code last} is among them. */
    public List<String> linesUntil(String last, Predicate<String> about) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().contains(last));
        List<String> kept = new ArrayList<>();
        for (String line : lines()) {
            if (about.test(line)) {
                kept.add(line);
            }
        }
        return kept;
    }
}
