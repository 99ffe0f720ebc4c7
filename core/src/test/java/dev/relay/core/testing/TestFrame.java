package dev.relay.core.testing;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.protocol.ServerMessage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An encoded frame for tests: holds the message (or the bytes of a binary frame) instead of wire bytes, and counts
 * references for real so a test can tell a leaked or over-released frame.
 */
public final class TestFrame implements EncodedFrame {
    private final TestEncoder owner;
    private final ServerMessage message;
    private final byte[] binary;
    private final AtomicInteger refCnt = new AtomicInteger(1);

    TestFrame(TestEncoder owner, ServerMessage message, byte[] binary) {
        this.owner = owner;
        this.message = message;
        this.binary = binary;
    }

    /** The message this frame encodes; null for a binary frame. */
    public ServerMessage message() {
        return message;
    }

    /** The payload of a binary frame; null for a message. */
    public byte[] binary() {
        return binary == null ? null : binary.clone();
    }

    public int refCnt() {
        return refCnt.get();
    }

    @Override
    public int length() {
        if (binary != null) {
            return binary.length;
        }
        String content = message.content();
        return content == null ? 0 : content.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public EncodedFrame retain() {
        int before = refCnt.getAndUpdate(count -> count > 0 ? count + 1 : count);
        if (before <= 0) {
            throw owner.misuse("retain of a released frame " + this);
        }
        return this;
    }

    @Override
    public void release() {
        int after = refCnt.decrementAndGet();
        if (after < 0) {
            throw owner.misuse("release of a frame with no references left " + this);
        }
        if (after == 0) {
            owner.freed();
        }
    }

    @Override
    public String toString() {
        return message != null ? "TestFrame[" + message.type() + " " + message.content() + "]"
                : "TestFrame[binary " + binary.length + " bytes]";
    }
}
