package dev.relay.core.testing;

import dev.relay.core.codec.Encoder;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Encodes messages into {@link TestFrame}s and keeps count of the frames still referenced, so every test can end
 * by checking that no frame leaked and none was released once too often.
 */
public final class TestEncoder implements Encoder {
    private final AtomicInteger live = new AtomicInteger();
    private final List<String> misuses = new CopyOnWriteArrayList<>();
    private volatile Consumer<ServerMessage> beforeEncoding = message -> { };

    @Override
    public TestFrame encode(ServerMessage message) {
        if (message == null) {
            throw new IllegalArgumentException("nothing to encode");
        }
        beforeEncoding.accept(message);
        live.incrementAndGet();
        return new TestFrame(this, message, null);
    }

    /**
     * Runs {@code hook} on the encoding thread before every message is encoded, so a test can hold a thread at a
     * precise point (the core encodes events inside the locks that order them).
     */
    public void beforeEncoding(Consumer<ServerMessage> hook) {
        this.beforeEncoding = hook;
    }

    /** A binary frame holding one reference, as the transport would hand it to {@code Hub.onBinary}. */
    public TestFrame binary(byte[] payload) {
        live.incrementAndGet();
        return new TestFrame(this, null, payload.clone());
    }

    /** Frames with at least one reference left. */
    public int liveFrames() {
        return live.get();
    }

    /** Retains of released frames and releases past zero, which may have been swallowed on a loop. */
    public List<String> misuses() {
        return List.copyOf(misuses);
    }

    void freed() {
        live.decrementAndGet();
    }

    IllegalStateException misuse(String what) {
        misuses.add(what);
        return new IllegalStateException(what);
    }
}
