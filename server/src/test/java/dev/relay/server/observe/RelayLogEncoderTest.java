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
