package dev.relay.core.testing;

import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks the other tests rely on do catch what they are meant to catch. */
class TestSupportTest {
    private final TestLoop loop = new TestLoop("support-loop");
    private final TestEncoder encoder = new TestEncoder();

    @AfterEach
    void stop() {
        loop.close();
    }

    @Test
    void writeAndFlushOffTheLoopAreRecordedAsViolations() {
        TestConnection connection = new TestConnection(loop, "c");
        TestFrame frame = encoder.encode(message("x"));

        connection.write(frame);
        connection.flush();
        frame.release();

        assertThat(loop.violations()).hasSize(2);
    }

    @Test
    void onTheLoopWritesWaitForTheFlush() {
        TestConnection connection = new TestConnection(loop, "c");
        TestFrame frame = encoder.encode(message("x"));

        loop.run(() -> connection.write(frame));
        assertThat(connection.received()).isEmpty();
        assertThat(connection.unflushedCount()).isEqualTo(1);
        loop.run(connection::flush);
        frame.release();

        assertThat(connection.messages()).extracting(ServerMessage::content).containsExactly("x");
        assertThat(connection.flushCount()).isEqualTo(1);
        assertThat(loop.violations()).isEmpty();
        assertThat(encoder.liveFrames()).isZero();
    }

    @Test
    void sendFromAnotherThreadHoldsItsOwnReferenceUntilWritten() {
        TestConnection connection = new TestConnection(loop, "c");
        TestFrame frame = encoder.encode(message("x"));

        connection.send(frame);
        frame.release();
        loop.sync();

        assertThat(connection.messages()).hasSize(1);
        assertThat(loop.violations()).isEmpty();
        assertThat(encoder.liveFrames()).isZero();
    }

    @Test
    void framesCountTheirReferences() {
        TestFrame frame = encoder.encode(message("x"));
        frame.retain();
        frame.release();
        assertThat(encoder.liveFrames()).isEqualTo(1);

        frame.release();
        assertThat(encoder.liveFrames()).isZero();
        assertThatThrownBy(frame::release).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(frame::retain).isInstanceOf(IllegalStateException.class);
        assertThat(encoder.misuses()).hasSize(2);
    }

    @Test
    void anExceptionEscapingALoopTaskIsRecorded() {
        loop.execute(() -> {
            throw new IllegalStateException("boom");
        });
        loop.sync();

        assertThat(loop.violations()).singleElement().asString().contains("boom");
    }

    private static ServerMessage message(String content) {
        return new ServerMessage(null, "room_message", null, null, null, content, null, Instant.EPOCH);
    }
}
