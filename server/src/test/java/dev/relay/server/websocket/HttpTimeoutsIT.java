package dev.relay.server.websocket;

import ch.qos.logback.classic.Level;
import dev.relay.server.testing.Attack;
import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slowloris: a socket that trickles a request head or body, or idles between requests, is closed after
 * http_header_timeout, http_body_timeout or http_idle_timeout; one within them is served. Sockets count against
 * max_connections_per_ip from their opening, and a WebSocket counts once.
 */
class HttpTimeoutsIT {
    private static final Map<String, String> SHORT_TIMEOUTS = Map.of("http_header_timeout", "1s",
            "http_body_timeout", "1s", "http_idle_timeout", "1s");
    private static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    @Test
    void aHeadCompletedWithinTheTimeoutIsServedAndOneTrickledPastItIsClosed() throws Exception {
        try (TestServer server = TestServer.start(SHORT_TIMEOUTS);
             Socket patient = open(server);
             Socket trickling = open(server)) {
            send(patient, "GET /health/live HTTP/1.1\r\n");
            send(trickling, "GET /health/live HTTP/1.1\r\n");
            Thread.sleep(400);
            send(patient, "Host: 127.0.0.1\r\n\r\n");
            assertThat(statusLine(patient)).contains(" 200 ");
            for (int i = 0; i < 8; i++) { // a header line every 200 ms: the head never ends
                sendIfOpen(trickling, "X-Slow-" + i + ": 1\r\n");
                Thread.sleep(200);
            }
            assertThat(Attack.drain(trickling, 3_000).endedByServer()).as("trickled head closed").isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        try (TestServer server = TestServer.start(SHORT_TIMEOUTS);
             Socket silent = open(server)) {
            long start = System.nanoTime();
            assertThat(Attack.drain(silent, 5_000).endedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void aBodyCompletedWithinTheTimeoutIsServedAndOneTrickledPastItIsClosed() throws Exception {
        String head = "POST /ws/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 20\r\n\r\n";
        try (TestServer server = TestServer.start(SHORT_TIMEOUTS);
             LogCapture gateLog = LogCapture.of(HttpGateHandler.class);
             Socket patient = open(server);
             Socket trickling = open(server)) {
            send(patient, head + "{\"id\":");
            send(trickling, head + "{\"id\":");
            Thread.sleep(400);
            send(patient, "\"x\",\"a\":\"bcd\"}");
            assertThat(statusLine(patient)).as("answered (no token)").contains(" 401 ");
            for (int i = 0; i < 8; i++) {
                sendIfOpen(trickling, " ");
                Thread.sleep(200);
            }
            assertThat(Attack.drain(trickling, 3_000).endedByServer()).as("trickled body closed").isTrue();
            Thread.sleep(200);
            // A routine close, not a server error with a stack trace an attacker could fill the log with.
            assertThat(gateLog.events()).noneMatch(event -> event.getLevel() == Level.ERROR);
        }
    }

    @Test
    void aKeptAliveConnectionIsServedWithinTheIdleTimeoutAndClosedAfterIt() throws Exception {
        try (TestServer server = TestServer.start(SHORT_TIMEOUTS);
             Socket client = open(server)) {
            send(client, LIVE);
            assertThat(statusLine(client)).contains(" 200 ");
            Thread.sleep(500);
            send(client, LIVE);
            assertThat(statusLine(client)).as("second request on the same socket").contains(" 200 ");
            long answered = System.nanoTime();
            assertThat(Attack.drain(client, 5_000).endedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void aWebSocketIsNotSubjectToTheHttpTimeouts() throws Exception {
        try (TestServer server = TestServer.start(SHORT_TIMEOUTS);
             WsClient client = server.connect("quiet", "general")) {
            Thread.sleep(2_500);
            server.service().publishToRoom("general", "still open");
            assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo("still open");
        }
    }

    @Test
    void socketsCountAgainstThePerAddressLimitFromTheirOpeningAndGiveTheirSlotBack() throws Exception {
        int limit = 3;
        try (TestServer server = TestServer.start(Map.of("max_connections_per_ip", String.valueOf(limit)))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < limit - 1; i++) {
                    Socket silent = open(server);
                    send(silent, "GET /health/live HTTP/1.1\r\n"); // half a head: counted all the same
                    held.add(silent);
                }
                Socket last = open(server);
                held.add(last);
                send(last, LIVE);
                assertThat(statusLine(last)).as("exactly at the limit").contains(" 200 ");
                try (Socket over = open(server)) {
                    send(over, LIVE);
                    String answer = response(over);
                    assertThat(answer).contains(" 429 ").contains("\"connection_limit\"");
                }
                held.removeFirst().close();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    try (Socket again = open(server)) {
                        send(again, LIVE);
                        assertThat(statusLine(again)).as("the freed slot").contains(" 200 ");
                    }
                });
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aSlowlorisCrowdFromOneAddressHoldsNoMoreThanItsSlots() throws Exception {
        int limit = 5;
        int sockets = 200;
        try (TestServer server = TestServer.start(Map.of("max_connections_per_ip", String.valueOf(limit),
                "http_header_timeout", "2s"))) {
            List<Socket> crowd = new ArrayList<>();
            try {
                for (int i = 0; i < sockets; i++) {
                    Socket socket = open(server);
                    sendIfOpen(socket, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                    crowd.add(socket);
                }
                // The refused ones are closed within a second; the counted ones stay until the header timeout.
                Thread.sleep(1_300);
                int open = 0;
                for (Socket socket : crowd) {
                    if (!Attack.drain(socket, 50).endedByServer()) {
                        open++;
                    }
                }
                assertThat(open).as("sockets still held of %d", sockets).isLessThanOrEqualTo(limit);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    try (Socket fresh = open(server)) {
                        send(fresh, LIVE);
                        assertThat(statusLine(fresh)).as("slots freed by the header timeout").contains(" 200 ");
                    }
                });
            } finally {
                for (Socket socket : crowd) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void anUpgradedSocketCountsOnceAgainstThePerAddressLimit() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_connections_per_ip", "2"));
             RawWebSocket first = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("a"), Map.of());
             RawWebSocket second = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("b"),
                     Map.of())) {
            assertThat(first.handshake().status()).isEqualTo(101);
            assertThat(second.handshake().status()).as("two WebSockets, two slots").isEqualTo(101);
            try (Socket third = open(server)) {
                send(third, LIVE);
                assertThat(statusLine(third)).contains(" 429 ");
            }
            first.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (Socket again = open(server)) {
                    send(again, LIVE);
                    assertThat(statusLine(again)).contains(" 200 ");
                }
            });
        }
    }

    private static Socket open(TestServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends unless the server has closed the socket already (then the write may fail: that is fine here). */
    private static void sendIfOpen(Socket socket, String text) {
        try {
            send(socket, text);
        } catch (IOException closed) {
            // the server gave up on it
        }
    }

    private static String statusLine(Socket socket) throws IOException {
        String response = response(socket);
        return response.substring(0, Math.max(0, response.indexOf("\r\n")));
    }

    /** One response, head and body (by Content-Length). */
    private static String response(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
