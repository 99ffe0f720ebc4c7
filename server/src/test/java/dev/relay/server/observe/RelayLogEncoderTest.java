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
    void jsonIsOneObjectPerLineWithTheFormattedMessage() throws Exception {
        String line = encode("json");

        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("loggerName").asText()).isEqualTo("dev.relay.Test");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("event=refused reason=ip client=10.0.0.9");
        assertThat(json.has("timestamp")).isTrue();
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
