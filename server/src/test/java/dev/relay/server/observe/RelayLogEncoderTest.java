package dev.relay.server.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** log_format: text keeps the pattern's key=value lines; json writes one object per line with the same message. */
class RelayLogEncoderTest {
    private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("dev.relay.Test");

    @Test
    void textIsThePatternLine() {
        String line = encode("text");

        assertThat(line).isEqualTo("WARN  Test - event=refused reason=ip client=10.0.0.9\n");
    }

    @Test
    void jsonIsOneObjectPerLineWithEachFieldUnderItsEcsName() throws Exception {
        String line = encode("json");

        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("log.level").asText()).isEqualTo("WARN");
        assertThat(json.path("log.logger").asText()).isEqualTo("dev.relay.Test");
        assertThat(json.path("message").asText()).isEqualTo("event=refused reason=ip client=10.0.0.9");
        assertThat(json.path("event.action").asText()).isEqualTo("refused");
        assertThat(json.path("event.reason").asText()).isEqualTo("ip");
        assertThat(json.path("client.address").asText()).isEqualTo("10.0.0.9");
        assertThat(java.time.Instant.parse(json.path("@timestamp").asText())).isNotNull();
        assertThat(json.path("ecs.version").asText()).isNotEmpty();
    }

    @Test
    void jsonReadsQuotedValuesNumbersIdsAndSlf4jKeyValuePairs() throws Exception {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO,
                "event=connected client_id=0QYB user=12345 room=general detail=\"a \\\"quoted\\\" text\" pending_bytes=4096",
                null, null);
        event.addKeyValuePair(new org.slf4j.event.KeyValuePair("room_id", "support"));

        JsonNode json = new ObjectMapper().readTree(json(event));

        assertThat(json.path("relay.client_id").asText()).isEqualTo("0QYB");
        assertThat(json.path("user.id").isTextual()).as("ids stay text").isTrue();
        assertThat(json.path("user.id").asText()).isEqualTo("12345");
        assertThat(json.path("relay.room_id").asText()).as("a key-value pair wins").isEqualTo("support");
        assertThat(json.path("relay.detail").asText()).isEqualTo("a \"quoted\" text");
        assertThat(json.path("relay.pending_bytes").isNumber()).isTrue();
        assertThat(json.path("relay.pending_bytes").asLong()).isEqualTo(4096);
    }

    @Test
    void jsonCarriesTheErrorAndItsStackTraceInOneLine() throws Exception {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "event=http_error",
                new IllegalStateException("broken\nline"), null);

        String line = json(event);
        JsonNode json = new ObjectMapper().readTree(line);

        assertThat(line.strip()).doesNotContain("\n");
        assertThat(json.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(json.path("error.message").asText()).isEqualTo("broken\nline");
        assertThat(json.path("error.stack_trace").asText()).contains("\tat dev.relay.server.observe");
    }

    private String json(LoggingEvent event) {
        RelayLogEncoder encoder = new RelayLogEncoder();
        encoder.setContext(context);
        encoder.setFormat("json");
        encoder.setPattern("%msg%n");
        encoder.start();
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void textEscapesWhatCouldForgeALineOrDriveATerminal() {
        String forged = "HS256\r\n2026-12-07T20:00:00.000Z INFO  [main] Hub - event=admin_login user=root\u001b[2J\u2028";
        String line = encode("text", "event=refused detail=\"{}\"", forged, null);

        assertThat(line).hasLineCount(1).endsWith("\n").doesNotContain("\r").doesNotContain("\u001b")
                .doesNotContain("\u2028");
        assertThat(line).contains("HS256\\r\\n2026-12-07T20:00:00.000Z INFO", "\\u001b[2J\\u2028");
    }

    @Test
    void textEscapesExceptionMessagesButKeepsTheStackTraceLines() {
        IllegalArgumentException failure = new IllegalArgumentException("bad uri /x\nWARN forged",
                new IllegalStateException("cause\u001b[31m"));
        String text = encode("text", "event=http_error", null, failure);

        assertThat(text).contains("bad uri /x\\nWARN forged").contains("cause\\u001b[31m")
                .doesNotContain("\u001b");
        assertThat(text.lines()).noneMatch(line -> line.startsWith("WARN forged"));
        assertThat(text.lines().filter(line -> line.startsWith("\tat "))).isNotEmpty();
    }

    @Test
    void plainTextIsLeftAsItIs() {
        assertThat(LogText.escape("event=refused user=\"alice\" 规")).isEqualTo("event=refused user=\"alice\" 规");
        assertThat(LogText.escape(null)).isNull();
    }

    private String encode(String format, String message, Object argument, Throwable failure) {
        RelayLogEncoder encoder = new RelayLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern("%-5level %logger{0} - %msg%n%ex");
        encoder.start();
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.WARN, message, failure,
                argument == null ? null : new Object[]{argument});
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    private String encode(String format) {
        RelayLogEncoder encoder = new RelayLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern("%-5level %logger{0} - %msg%n");
        encoder.start();
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "event=refused reason={} client={}",
                null, new Object[]{"ip", "10.0.0.9"});
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
