package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code max_connections_per_user} across a two-node cluster on the real Redis for STOMP ({@code /ws/stomp}) and
 * Socket.IO ({@code /socket.io/}) as for {@code /ws/connect}: a user connected on node a is refused on node b by
 * either protocol's connect frame, and connects once the first connection is gone; a STOMP connection holds the
 * cluster's slot too, so {@code /ws/connect} on the other node is refused meanwhile.
 */
class ProtocolConnectionLimitClusterIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    private TestServer node(String id) {
        TestServer node = TestServer.start(Map.of("engine", "redis", "redis_url",
                RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "node_id", id,
                "enable_rate_limit", "false", "max_connections_per_user", "1"));
        nodes.add(node);
        return node;
    }

    @Test
    void one_connection_per_user_holds_across_nodes_for_stomp_and_socket_io_on_both_sides_of_the_limit()
            throws Exception {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient relay = a.connect("dave", "general")) {
            try (TextSocket stomp = stompConnect(b, "dave")) {
                String error = stomp.await(text -> text.startsWith("ERROR"), "STOMP's refusal");
                assertThat(error).contains("code:connection_limit").contains("across the cluster");
                assertThat(stomp.closed()).as("the refused STOMP connection is closed").isTrue();
            }
            try (TextSocket socketIo = socketIoConnect(b, "dave")) {
                String error = socketIo.await(text -> text.startsWith("44"), "Socket.IO's connect_error");
                assertThat(error).contains("\"code\":\"connection_limit\"");
                assertThat(socketIo.texts).noneMatch(text -> text.startsWith("40"));
            }
            // Another user, whose SUBSCRIBE comes in the CONNECT's own message: it waits for the cluster's answer too.
            try (TextSocket other = stompConnect(b, "erin",
                    "SUBSCRIBE\nid:0\ndestination:/topic/rooms.general\nreceipt:r1\n\n\0")) {
                assertThat(other.await(text -> text.startsWith("RECEIPT") || text.startsWith("ERROR"),
                        "the SUBSCRIBE's answer")).contains("receipt-id:r1");
                assertThat(other.texts.getFirst()).as("another user is not counted").startsWith("CONNECTED");
            }
        }

        // Below the limit once /ws/connect's connection is gone: its slot in Redis is given back on close.
        TextSocket stomp = await().atMost(Duration.ofSeconds(10)).until(() -> {
            TextSocket attempt = stompConnect(b, "dave");
            String answer = attempt.await(text -> text.startsWith("CONNECTED") || text.startsWith("ERROR"),
                    "STOMP's answer");
            if (answer.startsWith("CONNECTED")) {
                return attempt;
            }
            attempt.close();
            return null;
        }, java.util.Objects::nonNull);
        try (stomp) {
            // The STOMP connection holds the cluster's slot: /ws/connect and Socket.IO on the other node wait.
            try (RawWebSocket relay = RawWebSocket.open(a.port(), "/ws/connect",
                    Map.of("Authorization", "Bearer " + a.token("dave")))) {
                assertThat(relay.handshake().status()).isEqualTo(429);
                assertThat(relay.handshake().json().path("error").path("code").asText())
                        .isEqualTo("connection_limit");
            }
            try (TextSocket socketIo = socketIoConnect(a, "dave")) {
                assertThat(socketIo.await(text -> text.startsWith("44"), "Socket.IO's connect_error"))
                        .contains("connection_limit");
            }
        }

        TextSocket socketIo = await().atMost(Duration.ofSeconds(10)).until(() -> {
            TextSocket attempt = socketIoConnect(a, "dave");
            String answer = attempt.await(text -> text.startsWith("40") || text.startsWith("44"),
                    "Socket.IO's answer");
            if (answer.startsWith("40")) {
                return attempt;
            }
            attempt.close();
            return null;
        }, java.util.Objects::nonNull);
        try (socketIo) {
            try (TextSocket refused = stompConnect(b, "dave")) {
                assertThat(refused.await(text -> text.startsWith("ERROR"), "STOMP's refusal"))
                        .as("the Socket.IO connection holds the cluster's slot").contains("code:connection_limit");
            }
        }
    }

    /** A STOMP 1.2 CONNECT with the JWT as passcode, as stomp.js sends it. */
    private static TextSocket stompConnect(TestServer node, String user) throws Exception {
        return stompConnect(node, user, "");
    }

    /** The CONNECT followed, in the same WebSocket message, by {@code more} frames. */
    private static TextSocket stompConnect(TestServer node, String user, String more) throws Exception {
        TextSocket socket = TextSocket.open(URI.create("ws://127.0.0.1:" + node.port() + "/ws/stomp"), "v12.stomp");
        socket.send("CONNECT\naccept-version:1.2\nhost:relay\npasscode:" + node.token(user) + "\nheart-beat:0,0\n\n\0"
                + more);
        return socket;
    }

    /** Engine.IO 4 over WebSocket: the open packet, then Socket.IO's CONNECT with the token in its auth. */
    private static TextSocket socketIoConnect(TestServer node, String user) throws Exception {
        TextSocket socket = TextSocket.open(URI.create("ws://127.0.0.1:" + node.port()
                + "/socket.io/?EIO=4&transport=websocket"), null);
        socket.await(text -> text.startsWith("0{"), "Engine.IO's open packet");
        socket.send("40{\"token\":\"" + node.token(user) + "\"}");
        return socket;
    }

    /** A WebSocket whose text messages are kept in order, for the protocols whose frames are not Relay's JSON. */
    private static final class TextSocket implements AutoCloseable {
        final List<String> texts = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile boolean closed;
        private WebSocket socket;

        static TextSocket open(URI uri, String subprotocol) throws Exception {
            TextSocket text = new TextSocket();
            WebSocket.Builder builder = HTTP.newWebSocketBuilder();
            if (subprotocol != null) {
                builder.subprotocols(subprotocol);
            }
            text.socket = builder.buildAsync(uri, text.listener()).get(5, TimeUnit.SECONDS);
            return text;
        }

        private WebSocket.Listener listener() {
            return new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        texts.add(partial.toString());
                        partial.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closed = true;
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    closed = true;
                }
            };
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        String await(java.util.function.Predicate<String> wanted, String what) {
            return org.awaitility.Awaitility.await().alias(what).atMost(WsClient.TIMEOUT)
                    .until(() -> texts.stream().filter(wanted).findFirst().orElse(null), java.util.Objects::nonNull);
        }

        boolean closed() {
            org.awaitility.Awaitility.await().atMost(WsClient.TIMEOUT).until(() -> closed);
            return closed;
        }

        @Override
        public void close() {
            if (!closed) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS)
                        .exceptionally(failure -> null).join();
                socket.abort();
            }
        }
    }
}
