package dev.relay.core;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;
import dev.relay.core.testing.MutableClock;
import dev.relay.core.testing.TestConnection;
import dev.relay.core.testing.TestEncoder;
import dev.relay.core.testing.TestFrame;
import dev.relay.core.testing.TestLoop;
import dev.relay.core.testing.TestNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hub on three test loops with a test encoder and clocks that move only when told. Every test ends by waiting for
 * the loops and checking that no frame leaked or was released twice and no connection was touched off its loop.
 */
abstract class HubTestSupport {
    static final Instant START = Instant.parse("2025-03-01T08:00:00Z");

    final TestEncoder encoder = new TestEncoder();
    final MutableClock clock = new MutableClock(START);
    final TestNanoClock nanos = new TestNanoClock();
    final List<TestLoop> loops = new ArrayList<>();
    TestLoop loop1;
    TestLoop loop2;
    TestLoop loop3;

    private final Settings settings = new Settings();
    private final List<Client> clients = new ArrayList<>();
    private final List<Consumer<Hub.Builder>> additions = new ArrayList<>();
    private Hub hub;

    /** The knobs of {@link HubSettings}, starting at its defaults. */
    static final class Settings {
        int maxMessageLength;
        int rateLimitPerMinute;
        int maxRooms;
        List<String> defaultRooms;
        boolean enableUserPresence;
        boolean enableMessageBroadcast;
        boolean enablePrivateMessaging;
        int laneQueueLimit;
        int historySize;
        Duration historyTtl;
        int recoveryMaxMessages;
        Duration dedupWindow;
        boolean enableUserStatus;
        Duration userStatusTimeout;
        int presenceMaxRoomUsers;

        Settings() {
            HubSettings d = HubSettings.defaults();
            maxMessageLength = d.maxMessageLength();
            rateLimitPerMinute = d.rateLimitPerMinute();
            maxRooms = d.maxRooms();
            defaultRooms = d.defaultRooms();
            enableUserPresence = d.enableUserPresence();
            enableMessageBroadcast = d.enableMessageBroadcast();
            enablePrivateMessaging = d.enablePrivateMessaging();
            laneQueueLimit = d.laneQueueLimit();
            historySize = d.historySize();
            historyTtl = d.historyTtl();
            recoveryMaxMessages = d.recoveryMaxMessages();
            dedupWindow = d.dedupWindow();
            enableUserStatus = d.enableUserStatus();
            userStatusTimeout = d.userStatusTimeout();
            presenceMaxRoomUsers = d.presenceMaxRoomUsers();
        }

        HubSettings build() {
            return new HubSettings(maxMessageLength, rateLimitPerMinute, maxRooms, defaultRooms, enableUserPresence,
                    enableMessageBroadcast, enablePrivateMessaging, laneQueueLimit, historySize, historyTtl,
                    recoveryMaxMessages, dedupWindow, enableUserStatus, userStatusTimeout, presenceMaxRoomUsers);
        }
    }

    @BeforeEach
    final void startLoops() {
        loop1 = newLoop("loop-1");
        loop2 = newLoop("loop-2");
        loop3 = newLoop("loop-3");
    }

    @AfterEach
    final void checkNothingLeakedAndStop() {
        try {
            TestLoop.syncAll(loops);
            for (TestLoop loop : loops) {
                assertThat(loop.violations()).as("threading violations on " + loop.name()).isEmpty();
            }
            assertThat(encoder.misuses()).as("frames retained after release or released too often").isEmpty();
            assertThat(encoder.liveFrames()).as("frames still referenced when the test ended").isZero();
        } finally {
            loops.forEach(TestLoop::close);
        }
    }

    TestLoop newLoop(String name) {
        TestLoop loop = new TestLoop(name);
        loops.add(loop);
        return loop;
    }

    /** Changes the settings of the hub; only before the hub is first used. */
    void configure(Consumer<Settings> change) {
        if (hub != null) {
            throw new IllegalStateException("configure before the hub is first used");
        }
        change.accept(settings);
    }

    /** Adds to what the hub is built with (a store, a broker, policies); only before the hub is first used. */
    void build(Consumer<Hub.Builder> addition) {
        if (hub != null) {
            throw new IllegalStateException("add to the hub before it is first used");
        }
        additions.add(addition);
    }

    Hub hub() {
        if (hub == null) {
            Hub.Builder builder = Hub.builder(settings.build(), encoder, clock, nanos).observer(observer());
            building(builder);
            additions.forEach(addition -> addition.accept(builder));
            hub = builder.build();
        }
        return hub;
    }

    /** What a whole test class builds its hubs with (a broker, a sink); tests add more with {@link #build}. */
    void building(Hub.Builder builder) {
    }

    /** What the hub reports to; tests of the observer override it. */
    HubObserver observer() {
        return HubObserver.NONE;
    }

    void syncAll() {
        TestLoop.syncAll(loops);
    }

    static Identity user(String userId) {
        return new Identity(userId, "Name of " + userId, Set.of());
    }

    static Identity admin(String userId) {
        return new Identity(userId, "Admin " + userId, Set.of(Identity.ADMIN_ROLE));
    }

    Client connect(TestLoop loop, String userId, String roomId) {
        return connect(loop, user(userId), roomId);
    }

    Client connect(TestLoop loop, Identity identity, String roomId) {
        return connect(loop, identity, roomId, null);
    }

    /** Connects and, when {@code resumeFrom} is given, resumes the room from there, as a reconnecting client does. */
    Client connect(TestLoop loop, Identity identity, String roomId, StreamPosition resumeFrom) {
        TestConnection connection = newConnection(loop, identity);
        Client client = loop.call(() -> register(identity, connection, roomId, resumeFrom));
        syncAll();
        return client;
    }

    /**
     * Queues the connect on the loop without waiting for it, so a test can line it up with other work (for
     * instance behind a {@link TestLoop#block()}).
     */
    CompletableFuture<Client> connectAsync(TestLoop loop, Identity identity, String roomId,
                                           StreamPosition resumeFrom) {
        TestConnection connection = newConnection(loop, identity);
        return CompletableFuture.supplyAsync(() -> register(identity, connection, roomId, resumeFrom), loop);
    }

    private TestConnection newConnection(TestLoop loop, Identity identity) {
        synchronized (clients) {
            return new TestConnection(loop, identity.userId() + "#" + (clients.size() + 1));
        }
    }

    private Client register(Identity identity, TestConnection connection, String roomId, StreamPosition resumeFrom) {
        Session session = hub().connect(identity, connection, roomId, resumeFrom);
        Client client = new Client(identity, session, connection, connection.loop());
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** Forgets what every client received so far. */
    void clearAll() {
        syncAll();
        synchronized (clients) {
            clients.forEach(Client::clear);
        }
    }

    /** One connection as a test drives it. */
    final class Client {
        final Identity identity;
        final Session session;
        final TestConnection connection;
        final TestLoop loop;

        Client(Identity identity, Session session, TestConnection connection, TestLoop loop) {
            this.identity = identity;
            this.session = session;
            this.connection = connection;
            this.loop = loop;
        }

        String userId() {
            return identity.userId();
        }

        /** Hands a message to the hub on this connection's loop and waits until every loop is quiet. */
        void send(ClientMessage message) {
            sendNoSync(message);
            syncAll();
        }

        void sendNoSync(ClientMessage message) {
            loop.run(() -> hub().onMessage(session, message));
        }

        /** Relays a binary frame as the transport would: it owns one reference and releases it after the call. */
        void sendBinary(byte[] payload) {
            TestFrame frame = encoder.binary(payload);
            loop.run(() -> {
                try {
                    hub().onBinary(session, frame);
                } finally {
                    frame.release();
                }
            });
            syncAll();
        }

        void disconnect() {
            loop.run(() -> hub().disconnect(session));
            syncAll();
        }

        List<ServerMessage> messages() {
            return connection.messages();
        }

        List<ServerMessage> messages(String type) {
            return connection.messages(type);
        }

        List<String> types() {
            return messages().stream().map(ServerMessage::type).toList();
        }

        List<String> contents(String type) {
            return messages(type).stream().map(ServerMessage::content).toList();
        }

        List<ServerMessage> errors() {
            return messages(MessageType.ERROR);
        }

        /** The only error this connection received since it was last cleared. */
        ServerMessage singleError() {
            List<ServerMessage> errors = errors();
            assertThat(errors).as("errors received by " + connection).hasSize(1);
            return errors.getFirst();
        }

        void clear() {
            connection.clearReceived();
        }

        @Override
        public String toString() {
            return connection.toString();
        }
    }

    // ---- messages ----

    static ClientMessage message(String type, String id, String content, String roomId, String to, RawJson data) {
        return new ClientMessage(type, id, content, roomId, to, data);
    }

    static ClientMessage roomMessage(String roomId, String content) {
        return message(MessageType.ROOM_MESSAGE, null, content, roomId, null, null);
    }

    static ClientMessage roomMessage(String id, String roomId, String content) {
        return message(MessageType.ROOM_MESSAGE, id, content, roomId, null, null);
    }

    static ClientMessage privateMessage(String to, String content) {
        return message(MessageType.PRIVATE_MESSAGE, null, content, null, to, null);
    }

    static ClientMessage broadcast(String content) {
        return message(MessageType.BROADCAST, null, content, null, null, null);
    }

    static ClientMessage joinRoom(String id, String roomId) {
        return message(MessageType.JOIN_ROOM, id, null, roomId, null, null);
    }

    static ClientMessage leaveRoom(String id, String roomId) {
        return message(MessageType.LEAVE_ROOM, id, null, roomId, null, null);
    }

    /** A {@code resume} with its decoded {@code data}, as the transport hands it over (null values left out). */
    static ClientMessage resume(String id, String roomId, Object since, Object epoch) {
        Map<String, Object> control = new HashMap<>();
        if (since != null) {
            control.put("since", since);
        }
        if (epoch != null) {
            control.put("epoch", epoch);
        }
        return new ClientMessage(MessageType.RESUME, id, null, roomId, null, new RawJson("{}"), control);
    }

    static ClientMessage status(String id, String status) {
        return message(MessageType.STATUS, id, status, null, null, null);
    }

    /** The room's current epoch. */
    String epoch(String roomId) {
        return hub().queries().roomPosition(roomId).orElseThrow().epoch();
    }

    /** The data of the first {@code resumed} the client received. */
    static Map<String, Object> resumed(Client client) {
        List<ServerMessage> answers = client.messages(MessageType.RESUMED);
        assertThat(answers).as("resumed received by " + client).isNotEmpty();
        return data(answers.getFirst());
    }

    /** The stream positions of the room messages a client received, in the order received. */
    static List<Long> seqs(Client client) {
        return client.messages(MessageType.ROOM_MESSAGE).stream().map(ServerMessage::seq).toList();
    }

    /** {@code from}, {@code from + 1}, ... {@code to}; empty when {@code to < from}. */
    static List<Long> seqRange(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(ServerMessage message) {
        assertThat(message.data()).as("data of " + message).isInstanceOf(Map.class);
        return (Map<String, Object>) message.data();
    }

    /** Checks an error frame: its type, a human-readable content, the code and the echoed client id if any. */
    static void assertError(ServerMessage error, String code, String ref) {
        assertThat(error.type()).isEqualTo(MessageType.ERROR);
        assertThat(error.content()).as("human-readable explanation").isNotBlank();
        Map<String, Object> data = data(error);
        assertThat(data).containsEntry("code", code);
        if (ref == null) {
            assertThat(data).doesNotContainKey("ref");
        } else {
            assertThat(data).containsEntry("ref", ref);
        }
    }
}
