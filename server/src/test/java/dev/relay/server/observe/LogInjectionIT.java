package dev.relay.server.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What clients send (a token header, a user id in a path, a kick reason) reaches websocket.log through the real
 * encoder as part of one line: a forged line never appears as a line, and no terminal escape gets through.
 */
class LogInjectionIT {
    private static final String FORGED = "2026-12-07T20:00:00.000Z INFO  [main] Hub - event=admin_login user=root";
    private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final List<Logger> loggers = List.of(context.getLogger("dev.relay.server.websocket.HttpGateHandler"),
            context.getLogger("dev.relay.server.http.AdminApi"));

    @BeforeEach
    void writeTheTextLog() {
        RelayLogEncoder encoder = new RelayLogEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %logger{0} - %msg%n%ex");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(written);
        appender.start();
        loggers.forEach(logger -> {
            logger.setLevel(Level.INFO);
            logger.addAppender(appender);
        });
    }

    @AfterEach
    void stop() {
        loggers.forEach(logger -> {
            logger.detachAppender(appender);
            logger.setLevel(null);
        });
        appender.stop();
    }

    @Test
    void noClientValueForgesALineOrSendsAnEscapeSequence() throws Exception {
        try (TestServer server = TestServer.start();
             WsClient victim = server.connect("victim\u00e9", "general")) {
            String header = "{\"alg\":\"HS256\\r\\n" + FORGED + "\\u001b[2J\",\"typ\":\"JWT\"}";
            String token = base64(header) + "." + base64("{\"sub\":\"x\",\"exp\":4102444800}") + ".c2ln";
            try (RawWebSocket refused = RawWebSocket.open(server.port(), "/ws/connect",
                    Map.of("Authorization", "Bearer " + token))) {
                assertThat(refused.handshake().status()).isEqualTo(401);
            }
            String path = "/ws/users/a%0D%0A" + FORGED.replace(" ", "%20").replace("[", "%5B").replace("]", "%5D") + "%1B%5B31m/connections";
            assertThat(server.http().send("DELETE", path, server.adminToken("ops"),
                    "{\"reason\":\"bye\\n" + FORGED + "\\u001b[0m\"}").status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(5)).until(() -> text().contains("event=user_disconnected"));
            String log = text();
            assertThat(log).contains("event=refused", "HS256\\r\\n" + FORGED, "a\\r\\n" + FORGED);
            assertThat(log.lines()).noneMatch(line -> line.startsWith("2026-12-07T20:00:00.000Z"));
            assertThat(log).doesNotContain("\u001b").doesNotContain("\r");
            assertThat(victim.isClosed()).isFalse();
        }
    }

    private String text() {
        synchronized (written) {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
