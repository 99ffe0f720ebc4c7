package dev.relay.server.websocket;

import dev.relay.server.testing.Attack;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that make the server write and never read what it writes: every connection, before and after the upgrade,
 * stops being read while its outbound buffer is over max_pending_bytes, and is closed when it stays there for
 * write_wait or reaches four times the budget. Each attack is bounded, and each test asserts the bound on the server's
 * direct memory and that everyone else is still served.
 */
class BackpressureIT {
    private static final long MIB = 1024 * 1024;
    /** How long a flood may take to be sent on a busy machine; the client reads nothing until then. */
    private static final long FLOOD_MILLIS = 30_000;
    private static final byte[] PING_PAYLOAD = new byte[125]; // the largest a control frame may carry

    static {
        Arrays.fill(PING_PAYLOAD, (byte) 'p');
    }

    @Test
    void anHttpClientPipeliningRequestsWithoutReadingIsNoLongerReadAndIsClosed() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_pending_bytes", "64KiB", "write_wait", "500ms"));
             WsClient bystander = server.connect("bystander", "general")) {
            // 3,000 requests for the 22 KB page: 66 MB of answers, were they all queued.
            pipelineWithoutReading(server, bystander, server.port(), "/", 3_000);
        }
    }

    @Test
    void theInternalPortHasTheSameBudget() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_pending_bytes", "64KiB", "write_wait", "500ms",
                "internal_port", "0"));
             WsClient bystander = server.connect("bystander", "general")) {
            int internal = server.service().internalAddress().orElseThrow().getPort();
            // /health/live answers are small (/metrics has limits of its own): it takes 100,000 (4 MB of requests,
            // 13 MB of answers) to be well past what the socket buffers take off the server's hands.
            pipelineWithoutReading(server, bystander, internal, "/health/live", 100_000);
        }
    }

    /**
     * Sends {@code requests} pipelined GETs for {@code path} to {@code port} and reads nothing until the server has
     * closed the connection; then checks that it closed the connection having answered a bounded part of
     * them, held a bounded amount of memory, and served everyone else throughout. The attacker's receive buffer is
     * kept small, so that what the kernel takes off the server's hands stays small too.
     */
    private static void pipelineWithoutReading(TestServer server, WsClient bystander, int port, String path,
                                               int requests) throws Exception {
        try (Socket attacker = new Socket();
             Attack.PeakMemory memory = new Attack.PeakMemory()) {
            attacker.setReceiveBufferSize(8 * 1024);
            attacker.connect(new InetSocketAddress("127.0.0.1", port));
            long before = Attack.nettyDirectMemory();
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            Thread flood = Thread.ofPlatform().daemon().start(() -> {
                try {
                    OutputStream out = new BufferedOutputStream(attacker.getOutputStream(), 64 * 1024);
                    for (int i = 0; i < requests; i++) {
                        out.write(request);
                    }
                    out.flush();
                } catch (IOException closedByTheServer) {
                    // expected once the server has had enough
                }
            });
            // All sent, or refused by a server that stopped reading and closed; not reading meanwhile.
            flood.join(FLOOD_MILLIS);
            assertStillServing(server, bystander);
            // Still reading nothing until the server has ended the connection by itself: the requests sit whole in
            // the kernel's buffers at once, and a client that started reading before the server had been backed up
            // for write_wait (a loaded machine can take longer than any fixed pause) would be one that keeps up.
            await("the server to close the unread connection").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !flood.isAlive() && Attack.endedByServerWithoutReading(attacker));
            Attack.Drained drained = Attack.drain(attacker, 5_000);
            assertThat(drained.endedByServer()).as("the server closed the connection").isTrue();
            assertThat(drained.bytes()).as("bytes answered before the close").isLessThan(16 * MIB);
            assertThat(memory.peak() - before).as("peak Netty direct memory growth, bytes").isLessThan(24 * MIB);
            assertThat(health(server).get("/health/live", null).status()).isEqualTo(200);
        }
    }

    @Test
    void pingsAreRateLimitedLikeMessagesAndAFloodIsClosedWith1008() throws Exception {
        int perMinute = 100;
        int pings = 3_000; // past the budget and twice as many refusals
        try (TestServer server = TestServer.start(Map.of("rate_limit_per_minute", String.valueOf(perMinute)));
             WsClient bystander = server.connect("bystander", "general");
             RawWebSocket attacker = RawWebSocket.open(server.port(),
                     "/ws/connect?token=" + server.token("pinger"), Map.of())) {
            assertThat(attacker.handshake().status()).isEqualTo(101);
            Thread flood = flood(attacker, pings);
            flood.join(FLOOD_MILLIS); // all sent, or refused by a server that stopped reading and closed

            int pongs = pongsUntilTheEnd(attacker, 1008);
            assertThat(pongs).as("pongs for %d pings", pings).isLessThanOrEqualTo(perMinute);
            // The close frame itself can be lost to the reset of a socket closed with pings still unread in it.
            assertThat(attacker.endedByServer()).as("the server closed the connection").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    server.scrape().find("relay_connections_closed_total", "code", "1008").orElse(0.0) == 1.0);
            assertStillServing(server, bystander);
        }
    }

    @Test
    void pongsCountAgainstTheOutboundBudgetAndAPingFloodNobodyReadsIsClosed() throws Exception {
        // 6.4 MB of pongs, were they all queued: more than the socket buffers (the server's grows to 4 MB) can take.
        // The budget is 16 KiB, 64 KiB at the most.
        int pings = 50_000;
        try (TestServer server = TestServer.start(Map.of("enable_rate_limit", "false", "max_pending_bytes", "16KiB",
                "write_wait", "300ms"));
             WsClient bystander = server.connect("bystander", "general");
             RawWebSocket attacker = RawWebSocket.open(server.port(),
                     "/ws/connect?token=" + server.token("pinger"), Map.of(), 8 * 1024);
             Attack.PeakMemory memory = new Attack.PeakMemory()) {
            assertThat(attacker.handshake().status()).isEqualTo(101);
            long before = Attack.nettyDirectMemory();
            Thread flood = flood(attacker, pings);
            flood.join(FLOOD_MILLIS); // all sent, or refused by a server that stopped reading and closed
            assertStillServing(server, bystander);
            // Still reading nothing until the server has ended the connection by itself. The flood can sit whole in
            // the kernel's buffers (they grow to megabytes) long before the server has been backed up for
            // write_wait; a client that started reading then would be one that keeps up, and be served to the end.
            awaitClosedAsSlowConsumer(server);

            int pongs = pongsUntilTheEnd(attacker, 4008);
            assertThat(attacker.endedByServer()).as("the server closed the connection").isTrue();
            assertThat(pongs).as("pongs answered before the close").isLessThan(pings);
            assertThat(slowConsumers(server)).as("closed as a slow consumer, once").isEqualTo(1);
            assertThat(memory.peak() - before).as("peak Netty direct memory growth, bytes").isLessThan(16 * MIB);
            assertStillServing(server, bystander);
        }
    }

    /**
     * Waits, bounded, for the server to count a slow consumer and to let go of its connection (a peer that reads
     * nothing gets its close frame's grace, then the socket is cut), with only the bystander left.
     */
    private static void awaitClosedAsSlowConsumer(TestServer server) {
        await("a slow consumer counted").atMost(Duration.ofSeconds(30)).until(() -> slowConsumers(server) == 1);
        await("the pinger's connection gone").atMost(Duration.ofSeconds(10))
                .until(() -> server.service().hub().queries().connections() == 1);
    }

    private static long slowConsumers(TestServer server) {
        return server.http().get("/ws/stats", server.token("ops")).data().path("slow_consumers").asLong();
    }

    /**
     * Reads what the server still sends until the connection ends (or 5 s pass with nothing), counting the pongs; a
     * close frame among them must carry {@code closeCode} (it can also be lost to the reset of the socket).
     */
    private static int pongsUntilTheEnd(RawWebSocket attacker, int closeCode) throws IOException {
        int pongs = 0;
        RawWebSocket.Frame frame;
        attacker.setReadTimeoutMillis(5_000);
        while ((frame = attacker.readFrame()) != null) {
            if (frame.opcode() == 0xA) {
                pongs++;
            } else if (frame.opcode() == 0x8) {
                assertThat(frame.closeCode()).as("the server's close code").isEqualTo(closeCode);
            }
        }
        return pongs;
    }

    /** Sends masked 125-byte pings in a loop and never reads; stops when the server closes the connection. */
    private static Thread flood(RawWebSocket attacker, int pings) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < pings; i++) {
                    attacker.sendFrame(0x9, PING_PAYLOAD, true);
                }
            } catch (IOException closedByTheServer) {
                // expected once the server has had enough
            }
        });
    }

    /** Where /health/live is served: the internal port when there is one. */
    private static Http health(TestServer server) {
        return server.service().internalAddress().isPresent() ? server.internalHttp() : server.http();
    }

    private static void assertStillServing(TestServer server, WsClient bystander) {
        assertThat(health(server).get("/health/live", null).status()).isEqualTo(200);
        server.service().publishToRoom("general", "still here");
        assertThat(bystander.awaitType("room_message").path("content").asText()).isEqualTo("still here");
    }
}
