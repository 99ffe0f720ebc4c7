package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
 * STOMP in a two-node cluster on the real Redis: a Spring STOMP client on one node and a Relay client on the other
 * share a room (one stream, one seq) and exchange private messages; receipts come once the cluster placed a message.
 */
class StompClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();
    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    private WebSocketStompClient stomp;

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
        scheduler.initialize();
        stomp = new WebSocketStompClient(new StandardWebSocketClient());
        stomp.setMessageConverter(new ByteArrayMessageConverter() {
            @Override
            protected boolean supportsMimeType(MessageHeaders headers) {
                return true; // JSON and text bodies alike, read by the test
            }
        });
        stomp.setTaskScheduler(scheduler);
    }

    @AfterEach
    void stop() {
        if (stomp != null) {
            stomp.stop();
        }
        scheduler.shutdown();
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    private TestServer node(String id) {
        TestServer node = TestServer.start(Map.of("engine", "redis", "redis_url",
                RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "node_id", id,
                "enable_rate_limit", "false"));
        nodes.add(node);
        return node;
    }

    private StompSession connect(TestServer node, String user) throws Exception {
        StompHeaders connect = new StompHeaders();
        connect.setPasscode(node.token(user));
        StompSession session = stomp.connectAsync(URI.create("ws://127.0.0.1:" + node.port() + "/ws/stomp"),
                new WebSocketHttpHeaders(), connect, new StompSessionHandlerAdapter() {
                }).get(10, TimeUnit.SECONDS);
        session.setAutoReceipt(true);
        return session;
    }

    private static void receipted(StompSession.Receiptable receiptable) {
        AtomicBoolean done = new AtomicBoolean();
        receiptable.addReceiptTask(() -> done.set(true));
        await().atMost(WsClient.TIMEOUT).untilTrue(done);
    }

    private static final class Inbox implements StompFrameHandler {
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            try {
                bodies.add(JSON.readTree(new String((byte[]) payload, StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void a_stomp_client_on_one_node_and_a_relay_client_on_the_other_share_a_room_and_private_messages()
            throws Exception {
        TestServer a = node("a");
        TestServer b = node("b");
        StompSession session = connect(a, "stomp-a");
        Inbox room = new Inbox();
        Inbox inbox = new Inbox();
        receipted(session.subscribe("/topic/rooms.general", room));
        receipted(session.subscribe("/user/queue/messages", inbox));
        try (WsClient relay = b.connect("relay-b", "general")) {
            relay.send(Map.of("type", "room_message", "room_id", "general", "content", "from b"));
            await().atMost(WsClient.TIMEOUT).until(() -> room.bodies.stream()
                    .anyMatch(m -> "from b".equals(m.path("content").asText())));
            long seq = room.bodies.stream().filter(m -> "from b".equals(m.path("content").asText())).findFirst()
                    .orElseThrow().path("seq").asLong();

            StompHeaders send = new StompHeaders();
            send.setDestination("/app/rooms.general");
            receipted(session.send(send, "from a".getBytes(StandardCharsets.UTF_8)));
            JsonNode heard = relay.await(m -> "from a".equals(m.path("content").asText()), "node a's message");
            assertThat(heard.path("from").asText()).isEqualTo("stomp-a");
            assertThat(heard.path("seq").asLong()).as("one stream across the nodes").isEqualTo(seq + 1);

            relay.send(Map.of("type", "private_message", "to", "stomp-a", "content", "psst from b"));
            await().atMost(WsClient.TIMEOUT).until(() -> inbox.bodies.stream()
                    .anyMatch(m -> "psst from b".equals(m.path("content").asText())));
            StompHeaders reply = new StompHeaders();
            reply.setDestination("/app/users.relay-b");
            receipted(session.send(reply, "psst from a".getBytes(StandardCharsets.UTF_8)));
            JsonNode back = relay.await(m -> "psst from a".equals(m.path("content").asText()), "the private reply");
            assertThat(back.path("type").asText()).isEqualTo("private_message");
        }
        session.disconnect();
    }
}
