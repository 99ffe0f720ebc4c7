package dev.relay.core;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;
import dev.relay.core.testing.TestConnection;
import dev.relay.core.testing.TestFrame;
import dev.relay.core.testing.TestLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing every connection: on shutdown each is told to reconnect before it is closed with 1001. */
class HubShutdownTest extends HubTestSupport {

    @Test
    void shuttingDownSendsReconnectThenClosesEveryConnectionWith1001() {
        List<Recording> all = List.of(
                connectRecorded(loop1, user("alice"), "general"),
                connectRecorded(loop2, user("alice"), "support"),
                connectRecorded(loop3, user("bob"), "general"),
                connectRecorded(loop1, admin("root"), "announcements"));
        syncAll();
        all.forEach(Recording::clearCalls);

        hub().closeAll(CloseReason.SHUTTING_DOWN);
        syncAll();

        for (Recording recording : all) {
            assertThat(recording.calls()).as(recording.toString())
                    .containsExactly("send " + MessageType.RECONNECT, "close 1001");
            assertThat(recording.connection.messages()).last().satisfies(reconnect -> {
                assertThat(reconnect.type()).isEqualTo(MessageType.RECONNECT);
                assertThat(reconnect.content()).isEqualTo(Hub.RECONNECT_CONTENT);
                assertThat(reconnect.roomId()).isNull();
                assertThat(reconnect.seq()).isNull();
            });
            assertThat(recording.connection.messages(MessageType.RECONNECT)).hasSize(1);
            assertThat(recording.connection.closeReason()).isEqualTo(CloseReason.SHUTTING_DOWN);
            assertThat(recording.connection.closeCalls()).isEqualTo(1);
        }
    }

    static Stream<CloseReason> otherReasons() {
        return Stream.of(CloseReason.NORMAL, CloseReason.INTERNAL_ERROR, CloseReason.SLOW_CONSUMER,
                CloseReason.HEARTBEAT_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherReasons")
    void anotherReasonClosesWithoutReconnect(CloseReason reason) {
        List<Recording> all = List.of(
                connectRecorded(loop1, user("alice"), "general"),
                connectRecorded(loop2, user("bob"), "general"));
        syncAll();
        all.forEach(Recording::clearCalls);

        hub().closeAll(reason);
        syncAll();

        for (Recording recording : all) {
            assertThat(recording.calls()).containsExactly("close " + reason.code());
            assertThat(recording.connection.messages(MessageType.RECONNECT)).isEmpty();
            assertThat(recording.connection.closeReason()).isEqualTo(reason);
        }
    }

    @Test
    void aConnectionTheTransportAlreadyForgotIsNotTouched() {
        Recording alice = connectRecorded(loop1, user("alice"), "general");
        Recording bob = connectRecorded(loop2, user("bob"), "general");
        loop1.run(() -> hub().disconnect(alice.session));
        syncAll();
        alice.clearCalls();

        hub().closeAll(CloseReason.SHUTTING_DOWN);
        syncAll();

        assertThat(alice.calls()).isEmpty();
        assertThat(bob.connection.closeReason()).isEqualTo(CloseReason.SHUTTING_DOWN);
    }

    @Test
    void closingAnEmptyHubDoesNothing() {
        hub().closeAll(CloseReason.SHUTTING_DOWN);

        assertThat(hub().queries().connections()).isZero();
    }

    private Recording connectRecorded(TestLoop loop, Identity identity, String roomId) {
        TestConnection connection = new TestConnection(loop, identity.userId() + "@" + loop.name());
        Recording recording = new Recording(connection);
        recording.session = loop.call(() -> hub().connect(identity, recording, roomId));
        return recording;
    }

    /** A test connection that also records, in call order, the frames sent directly and the closes. */
    private static final class Recording implements Connection {
        final TestConnection connection;
        final List<String> calls = new CopyOnWriteArrayList<>();
        Session session;

        Recording(TestConnection connection) {
            this.connection = connection;
        }

        List<String> calls() {
            return new ArrayList<>(calls);
        }

        void clearCalls() {
            calls.clear();
        }

        @Override
        public Executor executor() {
            return connection.executor();
        }

        @Override
        public void write(EncodedFrame frame) {
            connection.write(frame);
        }

        @Override
        public void flush() {
            connection.flush();
        }

        @Override
        public void send(EncodedFrame frame) {
            ServerMessage message = ((TestFrame) frame).message();
            calls.add("send " + (message == null ? "binary" : message.type()));
            connection.send(frame);
        }

        @Override
        public void close(CloseReason reason) {
            calls.add("close " + reason.code());
            connection.close(reason);
        }

        @Override
        public String remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public String toString() {
            return "Recording[" + connection + "]";
        }
    }
}
