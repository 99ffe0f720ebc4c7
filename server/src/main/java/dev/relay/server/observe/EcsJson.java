package dev.relay.server.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One log event as one line of JSON with Elastic Common Schema names, for Elasticsearch, Loki, Datadog and the like.
 * Every {@code key=value} field of Relay's messages (and any SLF4J key-value pair) becomes a field of its own: the
 * ones ECS names under its name ({@code event=} is {@code event.action}, {@code user=} {@code user.id},
 * {@code client=} {@code client.address}), the others under {@code relay.}. The message stays whole in
 * {@code message}, so a search for {@code event=refused} still finds the line.
 */
final class EcsJson {
    private static final JsonFactory JSON = new JsonFactory();
    /** {@code key=value} or {@code key="a quoted value"} (with backslash escapes), as Relay's messages write them. */
    private static final Pattern FIELD = Pattern.compile("(?<=^|\\s)([a-z][a-z0-9_]*)=(\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S*))");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Map<String, String> ECS_NAMES = Map.ofEntries(
            Map.entry("event", "event.action"),
            Map.entry("reason", "event.reason"),
            Map.entry("user", "user.id"),
            Map.entry("user_id", "user.id"),
            Map.entry("client", "client.address"),
            Map.entry("address", "server.address"),
            Map.entry("url", "url.full"),
            Map.entry("version", "service.version"),
            Map.entry("client_id", "relay.client_id"),
            Map.entry("room", "relay.room_id"),
            Map.entry("room_id", "relay.room_id"),
            Map.entry("code", "relay.code"),
            Map.entry("detail", "relay.detail"));
    /** Identifiers and codes stay strings even when they look like numbers, so each field keeps one type. */
    private static final Set<String> ALWAYS_TEXT = Set.of("user.id", "relay.client_id",
            "relay.room_id", "relay.code", "relay.detail", "event.reason", "service.version");

    private EcsJson() {
    }

    static byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("@timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            json.writeStringField("log.level", event.getLevel().toString());
            json.writeStringField("log.logger", event.getLoggerName());
            json.writeStringField("process.thread.name", event.getThreadName());
            json.writeStringField("service.name", "relay");
            json.writeStringField("ecs.version", "8.11");
            String message = event.getFormattedMessage();
            json.writeStringField("message", message);
            for (Map.Entry<String, String> field : fields(event, message).entrySet()) {
                String value = field.getValue();
                if (!ALWAYS_TEXT.contains(field.getKey()) && NUMBER.matcher(value).matches() && value.length() < 18) {
                    json.writeFieldName(field.getKey());
                    json.writeNumber(value);
                } else {
                    json.writeStringField(field.getKey(), value);
                }
            }
            IThrowableProxy failure = event.getThrowableProxy();
            if (failure != null) {
                json.writeStringField("error.type", failure.getClassName());
                json.writeStringField("error.message", failure.getMessage());
                json.writeStringField("error.stack_trace", ThrowableProxyUtil.asString(failure));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** The message's fields, then the event's key-value pairs (which win on a clash), under their JSON names. */
    static Map<String, String> fields(ILoggingEvent event, String message) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (message != null) {
            Matcher field = FIELD.matcher(message);
            while (field.find()) {
                String value = field.group(3) != null ? unescape(field.group(3)) : field.group(4);
                fields.put(jsonName(field.group(1)), value);
            }
        }
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                fields.put(jsonName(pair.key), String.valueOf(pair.value));
            }
        }
        return fields;
    }

    private static String jsonName(String key) {
        return ECS_NAMES.getOrDefault(key, "relay." + key);
    }

    private static String unescape(String quoted) {
        return quoted.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
