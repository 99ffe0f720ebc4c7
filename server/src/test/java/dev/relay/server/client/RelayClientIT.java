package dev.relay.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.client.Ack;
import dev.relay.client.Backoff;
import dev.relay.client.ConnectionState;
import dev.relay.client.Message;
import dev.relay.client.Presence;
import dev.relay.client.RelayClient;
import dev.relay.client.RelayException;
import dev.relay.client.Resumed;
import dev.relay.client.StateChange;
import dev.relay.client.UserStatus;
import dev.relay.core.testing.TcpProxy;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Java client against real servers: acks, refusals, restarts, dropped connections, token refresh, kicks. */
class RelayClientIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Short waits, so that a restart is noticed and retried within a test's patience. */
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(500));

    /** What one client handed the application. */
    private static final class Seen {
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<Message> privates = new CopyOnWriteArrayList<>();
        final List<Presence> presence = new CopyOnWriteArrayList<>();
        final List<StateChange> states = new CopyOnWriteArrayList<>();
        final List<Resumed> recovered = new CopyOnWriteArrayList<>();
        final List<Resumed> reloads = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> binary = new CopyOnWriteArrayList<>();

        RelayClient watch(RelayClient client) {
            return client.onMessage(messages::add).onPrivate(privates::add).onPresence(presence::add)
                    .onState(states::add).onRecovered(recovered::add).onReload(reloads::add).onBinary(binary::add);
        }

        List<String> contents(String roomId) {
            return messages.stream().filter(m -> roomId.equals(m.roomId())).map(Message::content).toList();
        }

        boolean went(ConnectionState state) {
            return states.stream().anyMatch(change -> change.state() == state);
        }
    }

    private static RelayClient client(URI url, Supplier<String> tokens, Seen seen) {
        return seen.watch(builder(url, tokens).build());
    }

    /** The tests' client settings, for a test that changes one more. */
    private static RelayClient.Builder builder(URI url, Supplier<String> tokens) {
        return RelayClient.builder(url).tokenSupplier(tokens).backoff(QUICK).ackTimeout(Duration.ofSeconds(30));
    }

    private static URI connectUrl(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/ws/connect");
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String failureCode(CompletableFuture<?> future) {
        try {
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RelayException relay) {
                return relay.code();
            }
            throw new AssertionError("failed otherwise", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void sendsAreAckedByTheServerAndRefusalsFailWithItsCode() throws Exception {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             RelayClient alice = client(connectUrl(server.port()), () -> server.token("alice"), seen)) {
            get(alice.connect());
            assertThat(alice.userId()).isEqualTo("alice");
            try (WsClient bob = server.connect("bob", "general")) {
                await().atMost(WAIT).until(() -> seen.presence.stream()
                        .anyMatch(p -> p.type().equals("user_joined") && p.userId().equals("bob")));

                Ack ack = get(alice.sendToRoom("general", "hello", Map.of("emoji", "👋")));
                JsonNode delivered = bob.awaitType("room_message");
                assertThat(delivered.path("id").asText()).isEqualTo(ack.id()).hasSize(20);
                assertThat(delivered.path("seq").asLong()).isEqualTo(ack.seq()).isPositive();
                assertThat(delivered.path("data").path("emoji").asText()).isEqualTo("👋");
                await().atMost(WAIT).until(() -> seen.contents("general").contains("hello"));

                assertThat(failureCode(alice.sendToRoom("support", "not a member"))).isEqualTo("not_member");
                assertThat(failureCode(alice.sendPrivate("not a user id!", "hi"))).isEqualTo("invalid_field");
                // Someone offline is not a refusal: the server holds the message and says so in the ack.
                assertThat(get(alice.sendPrivate("nobody", "hi")).storedOffline()).isTrue();
                assertThat(failureCode(alice.broadcast("to all"))).isEqualTo("forbidden");
                assertThat(failureCode(alice.join("no-such-room"))).isEqualTo("room_not_found");

                get(alice.join("support"));
                assertThat(get(alice.sendToRoom("support", "now a member")).seq()).isPositive();

                Ack privateAck = get(alice.sendPrivate("bob", "psst"));
                assertThat(bob.awaitType("private_message").path("id").asText()).isEqualTo(privateAck.id());
                bob.send(Map.of("type", "private_message", "to", "alice", "content", "hi alice"));
                bob.awaitType("private_message"); // the sender's own copy
                await().atMost(WAIT).until(() -> seen.privates.stream().anyMatch(m -> "hi alice".equals(m.content())));

                get(alice.sendBinary(ByteBuffer.wrap("raw".getBytes(StandardCharsets.UTF_8))));
                assertThat(new String(bob.nextBinary(), StandardCharsets.UTF_8)).isEqualTo("raw");
                bob.sendBinary("back".getBytes(StandardCharsets.UTF_8));
                await().atMost(WAIT).until(() -> !seen.binary.isEmpty());
                assertThat(StandardCharsets.UTF_8.decode(seen.binary.getFirst()).toString()).isEqualTo("back");

                get(alice.leave("support"));
                assertThat(failureCode(alice.sendToRoom("support", "gone"))).isEqualTo("not_member");
                get(alice.ping());
                assertThat(seen.contents("general")).containsExactly("hello");
            }
        }
    }

    @Test
    void afterTheServerRestartsOnTheSamePortTheQueueIsFlushedAndNothingIsDeliveredTwice() throws Exception {
        int port = freePort();
        Seen seen = new Seen();
        TestServer first = TestServer.start(Map.of("port", String.valueOf(port)));
        boolean firstStopped = false;
        try (RelayClient alice = client(connectUrl(port), () -> first.token("alice"), seen)) {
            get(alice.connect());
            Ack before = get(alice.sendToRoom("general", "before"));
            await().atMost(WAIT).until(() -> seen.contents("general").contains("before"));

            first.close();
            firstStopped = true;
            await().atMost(WAIT).until(() -> seen.went(ConnectionState.DISCONNECTED));
            assertThat(alice.state()).isNotEqualTo(ConnectionState.CONNECTED);
            List<CompletableFuture<Ack>> queued = List.of(alice.sendToRoom("general", "queued-1"),
                    alice.sendToRoom("general", "queued-2"), alice.sendToRoom("general", "queued-3"));
            assertThat(queued).noneMatch(CompletableFuture::isDone);

            try (TestServer second = TestServer.start(Map.of("port", String.valueOf(port)))) {
                List<Ack> acks = List.of(get(queued.get(0)), get(queued.get(1)), get(queued.get(2)));
                // A new server: a new epoch, whose stream starts again at 1.
                assertThat(acks).extracting(Ack::seq).containsExactly(1L, 2L, 3L);
                assertThat(acks).extracting(Ack::id).doesNotContain(before.id());
                await().atMost(WAIT).until(() -> seen.contents("general").size() >= 4);
                get(alice.ping());
                assertThat(seen.contents("general")).containsExactly("before", "queued-1", "queued-2", "queued-3");
                assertThat(seen.reloads).extracting(Resumed::roomId, Resumed::recovered)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("general", false));
                assertThat(seen.recovered).isEmpty();

                try (WsClient bob = second.connect("bob", "general")) {
                    get(alice.sendToRoom("general", "after"));
                    assertThat(bob.awaitType("room_message").path("content").asText()).isEqualTo("after");
                    bob.expectNothingPendingExcept("user_joined", "presence");
                }
            }
        } finally {
            if (!firstStopped) {
                first.close();
            }
        }
    }

    @Test
    void aDroppedConnectionResumesEveryRoomWithWhatWasMissedAndNothingTwice() throws Exception {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             TcpProxy network = TcpProxy.to(server.port());
             RelayClient alice = client(connectUrl(network.port()), () -> server.token("alice"), seen)) {
            get(alice.connect());
            get(alice.join("support"));
            server.service().publishToRoom("general", "g1");
            server.service().publishToRoom("support", "s1");
            await().atMost(WAIT).until(() -> seen.messages.size() == 2);
            String clientBefore = alice.clientId();

            network.cut();
            await().atMost(WAIT).until(() -> seen.went(ConnectionState.DISCONNECTED));
            server.service().publishToRoom("general", "g2");
            server.service().publishToRoom("general", "g3");
            server.service().publishToRoom("support", "s2");
            network.restore();

            await().atMost(WAIT).until(() -> seen.recovered.size() == 2);
            assertThat(alice.clientId()).isNotEqualTo(clientBefore);
            assertThat(seen.recovered).extracting(Resumed::roomId, Resumed::replayed).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("general", 2), org.assertj.core.groups.Tuple.tuple("support", 1));
            assertThat(seen.reloads).isEmpty();

            server.service().publishToRoom("general", "g4");
            server.service().publishToRoom("support", "s3");
            await().atMost(WAIT).until(() -> seen.messages.size() >= 7);
            get(alice.ping());
            assertThat(seen.contents("general")).containsExactly("g1", "g2", "g3", "g4");
            assertThat(seen.contents("support")).containsExactly("s1", "s2", "s3");
            assertThat(seen.messages.stream().filter(m -> m.roomId().equals("general")).map(Message::seq))
                    .isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aConnectionThatFallsSilentIsNoticedByTheHeartbeatAndReplaced() throws Exception {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             TcpProxy network = TcpProxy.to(server.port());
             RelayClient alice = seen.watch(RelayClient.builder(connectUrl(network.port()))
                     .tokenSupplier(() -> server.token("alice")).backoff(QUICK)
                     .heartbeat(Duration.ofMillis(300)).build())) {
            get(alice.connect());
            server.service().publishToRoom("general", "before");
            await().atMost(WAIT).until(() -> seen.contents("general").contains("before"));
            String silentClient = alice.clientId();

            network.silenceOpenConnections();
            server.service().publishToRoom("general", "into the void");
            await().atMost(WAIT).until(() -> seen.recovered.size() == 1);
            assertThat(alice.clientId()).isNotEqualTo(silentClient);
            assertThat(seen.recovered.getFirst().replayed()).isEqualTo(1);
            get(alice.ping());
            assertThat(seen.contents("general")).containsExactly("before", "into the void");
        }
    }

    @Test
    void theTokenIsRefreshedThroughTheSupplierAndTheConnectionOutlivesTheFirstToken() throws Exception {
        byte[] secret = TestServer.SECRET.getBytes(StandardCharsets.UTF_8);
        Instant firstExpiry = Instant.now().plusSeconds(4);
        AtomicInteger issued = new AtomicInteger();
        Supplier<String> tokens = () -> Tokens.signHmac(secret, JWSAlgorithm.HS256, Tokens.claims("renewer",
                issued.incrementAndGet() == 1 ? firstExpiry : Instant.now().plus(Duration.ofHours(1)), b -> b));
        Seen seen = new Seen();
        try (TestServer server = TestServer.start(Map.of("jwt_clock_skew", "0s"));
             RelayClient client = client(connectUrl(server.port()), tokens, seen)) {
            get(client.connect());
            await().atMost(WAIT).until(() -> issued.get() == 2);
            await().atMost(WAIT).until(() -> Instant.now().isAfter(firstExpiry.plusSeconds(1)));

            assertThat(get(client.sendToRoom("general", "still here")).seq()).isPositive();
            assertThat(seen.states).extracting(StateChange::state)
                    .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
            assertThat(issued).as("no reconnect asked for another token").hasValue(2);
        }
    }

    @Test
    void aChosenStatusIsSeenByOthersAndSurvivesADroppedConnection() throws Exception {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             TcpProxy network = TcpProxy.to(server.port());
             // The reset is normally noticed at once; CI once waited 15 s without noticing it (cause not found),
             // and a client's own heartbeat is what bounds that, so it is short here.
             RelayClient alice = seen.watch(builder(connectUrl(network.port()), () -> server.token("alice"))
                     .heartbeat(Duration.ofSeconds(2)).build());
             WsClient bob = server.connect("bob", "general")) {
            get(alice.connect());
            get(alice.setStatus(UserStatus.BUSY));
            JsonNode busy = bob.await(m -> m.path("type").asText().equals("presence")
                    && m.path("data").path("user_id").asText().equals("alice"), "alice's presence");
            assertThat(busy.path("data").path("status").asText()).isEqualTo("busy");

            network.cut();
            await().atMost(WAIT).until(() -> seen.went(ConnectionState.DISCONNECTED));
            network.restore();
            await().atMost(WAIT).until(() -> seen.recovered.size() == 1);
            get(alice.ping());
            assertThat(server.http().get("/ws/users/alice", server.token("bob")).data().path("status").asText())
                    .isEqualTo("busy");
        }
    }

    @Test
    void aConnectionLimitIsWaitedOutWithBackoffNotGivenUpOn() throws Exception {
        Seen first = new Seen();
        Seen second = new Seen();
        try (TestServer server = TestServer.start(Map.of("max_connections_per_user", "1"));
             RelayClient one = client(connectUrl(server.port()), () -> server.token("alice"), first);
             RelayClient two = client(connectUrl(server.port()), () -> server.token("alice"), second)) {
            get(one.connect());
            CompletableFuture<Void> waiting = two.connect();
            await().atMost(WAIT).until(() -> second.states.stream()
                    .anyMatch(change -> change.closeCode() == 429 && change.reconnecting()));
            assertThat(waiting).isNotDone();
            one.close();
            get(waiting);
            assertThat(two.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }

    @Test
    void anAdminKickIsFinal() throws Exception {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             RelayClient alice = client(connectUrl(server.port()), () -> server.token("alice"), seen)) {
            get(alice.connect());
            CompletableFuture<Void> ping = alice.ping();
            get(ping);
            assertThat(server.http().send("DELETE", "/ws/users/alice/connections", server.adminToken("ops"),
                    "{\"reason\":\"spamming\"}").status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> seen.states.getLast().state() == ConnectionState.DISCONNECTED);
            StateChange kicked = seen.states.getLast();
            assertThat(kicked.closeCode()).isEqualTo(4403);
            assertThat(kicked.reason()).isEqualTo("spamming");
            assertThat(kicked.reconnecting()).isFalse();
            assertThat(failureCode(alice.sendToRoom("general", "let me back"))).isEqualTo(RelayException.CLOSED);
            assertThat(seen.states).extracting(StateChange::state).containsExactly(ConnectionState.CONNECTING,
                    ConnectionState.CONNECTED, ConnectionState.DISCONNECTED);
        }
    }

    @Test
    void aRefusedTokenNeverConnects() {
        Seen seen = new Seen();
        try (TestServer server = TestServer.start();
             RelayClient client = client(connectUrl(server.port()), () -> "not-a-jwt", seen)) {
            assertThat(failureCode(client.connect())).isEqualTo(RelayException.CLOSED);
            assertThat(seen.states.getLast().closeCode()).isEqualTo(401);
            assertThat(seen.states.getLast().reconnecting()).isFalse();
            assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
