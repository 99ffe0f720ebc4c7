package dev.relay.server.stomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

import java.lang.reflect.Type;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring's {@link WebSocketStompClient}, the Java world's usual STOMP client, against {@code /ws/stomp}, beside
 * Relay's own WebSocket clients in the same rooms; and the gate's checks on the STOMP upgrade.
 */
class StompSpringIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private final List<StompSession> sessions = new ArrayList<>();
    private final List<ThreadPoolTaskScheduler> schedulers = new ArrayList<>();
    private WebSocketStompClient stomp;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("max_connections_per_user", "2", "max_message_length", "100"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void disconnect() {
        sessions.forEach(session -> {
            if (session.isConnected()) {
                session.disconnect();
            }
        });
        if (stomp != null) {
            stomp.stop();
        }
        schedulers.forEach(ThreadPoolTaskScheduler::shutdown);
    }

    /** What one session's handler saw: ERROR frames (headers) and transport failures. */
    private static final class Recorder extends StompSessionHandlerAdapter {
        final List<StompHeaders> errors = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            errors.add(headers); // the session hands the handler only ERROR frames
        }

        @Override
        public void handleTransportError(StompSession session, Throwable exception) {
            failures.add(exception);
        }
    }

    /** The MESSAGE frames of one subscription, bodies as text. */
    private static final class Inbox implements StompFrameHandler {
        final List<StompHeaders> headers = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();

        @Override
        public Type getPayloadType(StompHeaders frame) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders frame, Object payload) {
            headers.add(frame);
            bodies.add(new String((byte[]) payload, StandardCharsets.UTF_8));
        }

        JsonNode body(int index) throws Exception {
            return JSON.readTree(bodies.get(index));
        }
    }

    /** Bodies as bytes whatever their content-type (JSON, text): the test reads them itself. */
    private WebSocketStompClient client() {
        WebSocketStompClient client = new WebSocketStompClient(new StandardWebSocketClient());
        client.setMessageConverter(new ByteArrayMessageConverter() {
            @Override
            protected boolean supportsMimeType(MessageHeaders headers) {
                return true;
            }
        });
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.initialize();
        schedulers.add(scheduler);
        client.setTaskScheduler(scheduler); // receipts are tracked on it
        return client;
    }

    private StompSession connect(String passcode, Recorder recorder) throws Exception {
        if (stomp == null) {
            stomp = client();
        }
        StompHeaders connect = new StompHeaders();
        connect.setPasscode(passcode);
        StompSession session = stomp.connectAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/stomp"),
                new WebSocketHttpHeaders(), connect, recorder).get(5, TimeUnit.SECONDS);
        session.setAutoReceipt(true);
        sessions.add(session);
        return session;
    }

    private static void receipted(StompSession.Receiptable receiptable) {
        AtomicBoolean done = new AtomicBoolean();
        receiptable.addReceiptTask(() -> done.set(true));
        await().atMost(WsClient.TIMEOUT).untilTrue(done);
    }

    private static void createRoom(String roomId) {
        assertThat(server.http().post("/ws/rooms", server.adminToken("admin"), "{\"id\":\"" + roomId + "\"}")
                .status()).isEqualTo(201);
    }

    @Test
    void springClientAndRelayClientShareARoomBothWays() throws Exception {
        createRoom("spring-room");
        StompSession session = connect(server.token("spring-user"), new Recorder());
        Inbox room = new Inbox();
        receipted(session.subscribe("/topic/rooms.spring-room", room));
        try (WsClient relay = server.connect("relay-user", "spring-room")) {
            relay.send(Map.of("type", "room_message", "room_id", "spring-room", "content", "hello spring",
                    "data", Map.of("n", 7)));
            await().atMost(WsClient.TIMEOUT).until(() -> room.bodies.size() == 1);
            JsonNode message = room.body(0);
            assertThat(message.path("content").asText()).isEqualTo("hello spring");
            assertThat(message.path("from").asText()).isEqualTo("relay-user");
            assertThat(message.path("data").path("n").asInt()).isEqualTo(7);
            assertThat(room.headers.getFirst().getMessageId()).isEqualTo(message.path("id").asText());
            assertThat(room.headers.getFirst().getFirst("seq")).isEqualTo(message.path("seq").asText());
            assertThat(room.headers.getFirst().getFirst("epoch")).isEqualTo(message.path("epoch").asText());

            StompHeaders send = new StompHeaders();
            send.setDestination("/app/rooms.spring-room");
            receipted(session.send(send, "hello relay".getBytes(StandardCharsets.UTF_8)));
            JsonNode heard = relay.await(m -> "room_message".equals(m.path("type").asText())
                    && "spring-user".equals(m.path("from").asText()), "the STOMP client's message");
            assertThat(heard.path("content").asText()).isEqualTo("hello relay");
            assertThat(heard.path("seq").asLong()).isEqualTo(message.path("seq").asLong() + 1);
        }
    }

    @Test
    void privateMessagesBothWays() throws Exception {
        StompSession session = connect(server.token("spring-private"), new Recorder());
        Inbox inbox = new Inbox();
        receipted(session.subscribe("/user/queue/messages", inbox));
        try (WsClient relay = server.connect("relay-private", "general")) {
            relay.send(Map.of("type", "private_message", "to", "spring-private", "content", "psst"));
            await().atMost(WsClient.TIMEOUT).until(() -> inbox.bodies.size() == 1);
            assertThat(inbox.body(0).path("content").asText()).isEqualTo("psst");
            assertThat(inbox.headers.getFirst().getDestination()).isEqualTo("/user/queue/messages");

            StompHeaders send = new StompHeaders();
            send.setDestination("/app/users.relay-private");
            receipted(session.send(send, "back".getBytes(StandardCharsets.UTF_8)));
            JsonNode back = relay.await(m -> "private_message".equals(m.path("type").asText())
                    && "back".equals(m.path("content").asText()), "the private message");
            assertThat(back.path("from").asText()).isEqualTo("spring-private");
        }
    }

    @Test
    void aRefusedTokenIsAnErrorFrameWithRelaysCode() throws Exception {
        Recorder recorder = new Recorder();
        StompHeaders connect = new StompHeaders();
        connect.setPasscode("not-a-jwt");
        stomp = client();
        stomp.connectAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/stomp"), new WebSocketHttpHeaders(),
                connect, recorder);
        await().atMost(WsClient.TIMEOUT).until(() -> !recorder.errors.isEmpty());
        assertThat(recorder.errors.getFirst().getFirst("code")).isEqualTo("unauthorized");
    }

    @Test
    void contentOverTheLimitIsRefusedWithItsCodeAndTheReceiptId() throws Exception {
        createRoom("spring-limit");
        Recorder recorder = new Recorder();
        StompSession session = connect(server.token("spring-limit-user"), recorder);
        receipted(session.subscribe("/topic/rooms.spring-limit", new Inbox()));
        StompHeaders send = new StompHeaders();
        send.setDestination("/app/rooms.spring-limit");
        receipted(session.send(send, "x".repeat(100).getBytes(StandardCharsets.UTF_8)));
        send.setReceipt("too-long");
        session.setAutoReceipt(false);
        session.send(send, "x".repeat(101).getBytes(StandardCharsets.UTF_8));
        await().atMost(WsClient.TIMEOUT).until(() -> !recorder.errors.isEmpty());
        assertThat(recorder.errors.getFirst().getFirst("code")).isEqualTo("message_too_long");
        assertThat(recorder.errors.getFirst().getFirst("receipt-id")).isEqualTo("too-long");
    }

    @Test
    void theUsersConnectionLimitCountsStompConnections() throws Exception {
        connect(server.token("spring-many"), new Recorder());
        connect(server.token("spring-many"), new Recorder());
        Recorder third = new Recorder();
        StompHeaders connect = new StompHeaders();
        connect.setPasscode(server.token("spring-many"));
        stomp.connectAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/stomp"), new WebSocketHttpHeaders(),
                connect, third);
        await().atMost(WsClient.TIMEOUT).until(() -> !third.errors.isEmpty());
        assertThat(third.errors.getFirst().getFirst("code")).isEqualTo("connection_limit");
        // One closing frees its slot.
        sessions.getFirst().disconnect();
        await().atMost(WsClient.TIMEOUT).untilAsserted(() -> assertThat(reconnects("spring-many")).isTrue());
    }

    private boolean reconnects(String user) {
        try {
            connect(server.token(user), new Recorder());
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    @Test
    void theUpgradeIsCheckedLikeConnects() throws Exception {
        try (RawWebSocket evil = RawWebSocket.open(server.port(), "/ws/stomp",
                Map.of("Origin", "https://evil.example"))) {
            RawWebSocket.HttpReply reply = evil.handshake();
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.json().path("error").path("code").asText()).isEqualTo("origin_not_allowed");
        }
        try (RawWebSocket same = RawWebSocket.open(server.port(), "/ws/stomp",
                Map.of("Origin", "http://127.0.0.1:" + server.port(), "Sec-WebSocket-Protocol", "v12.stomp"))) {
            RawWebSocket.HttpReply reply = same.handshake();
            assertThat(reply.status()).isEqualTo(101);
            assertThat(reply.headers().get("sec-websocket-protocol")).isEqualTo("v12.stomp");
        }
        assertThat(server.http().get("/ws/stomp", null).status()).isEqualTo(426);
    }

    @Test
    void turnedOffTheEndpointIsNotThere() throws Exception {
        try (TestServer off = TestServer.start(Map.of("enable_stomp", "false"));
             RawWebSocket ws = RawWebSocket.open(off.port(), "/ws/stomp", Map.of())) {
            assertThat(ws.handshake().status()).isEqualTo(404);
        }
    }
}
