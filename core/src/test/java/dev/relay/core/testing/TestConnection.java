package dev.relay.core.testing;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ServerMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection owned by a {@link TestLoop}. {@link #write} and {@link #flush} check they run on that loop (a call
 * from elsewhere is recorded on the loop as a violation); {@link #write} keeps no reference to the frame, it decodes
 * it at once into an unflushed list, and {@link #flush} moves that list to {@link #received()}.
 */
public final class TestConnection implements Connection {
    private final TestLoop loop;
    private final String address;
    private final Object lock = new Object();
    private final List<Object> unflushed = new ArrayList<>();
    private final List<Object> received = new ArrayList<>();
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private volatile boolean failWrites;

    public TestConnection(TestLoop loop, String address) {
        this.loop = loop;
        this.address = address;
    }

    public TestLoop loop() {
        return loop;
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public void write(EncodedFrame frame) {
        checkOnLoop("write");
        writes.incrementAndGet();
        if (failWrites) {
            throw new IllegalStateException("write to " + address + " failed on purpose");
        }
        Object decoded = decode(frame);
        synchronized (lock) {
            unflushed.add(decoded);
        }
    }

    @Override
    public void flush() {
        checkOnLoop("flush");
        flushes.incrementAndGet();
        synchronized (lock) {
            received.addAll(unflushed);
            unflushed.clear();
        }
    }

    @Override
    public void send(EncodedFrame frame) {
        if (loop.inLoop()) {
            write(frame);
            flush();
            return;
        }
        frame.retain();
        loop.execute(() -> {
            try {
                write(frame);
                flush();
            } finally {
                frame.release();
            }
        });
    }

    @Override
    public void close(CloseReason reason) {
        closeCalls.incrementAndGet();
        closeReason.compareAndSet(null, reason);
    }

    @Override
    public String remoteAddress() {
        return address;
    }

    /** Makes every later {@link #write} throw, as a broken channel might. */
    public void failWrites(boolean fail) {
        this.failWrites = fail;
    }

    /** What was written and flushed, in order: {@link ServerMessage}s and the byte arrays of binary frames. */
    public List<Object> received() {
        synchronized (lock) {
            return List.copyOf(received);
        }
    }

    /** The messages received, binary frames left out. */
    public List<ServerMessage> messages() {
        return received().stream().filter(ServerMessage.class::isInstance).map(ServerMessage.class::cast).toList();
    }

    /** The messages of one type received. */
    public List<ServerMessage> messages(String type) {
        return messages().stream().filter(message -> type.equals(message.type())).toList();
    }

    /** The payloads of the binary frames received. */
    public List<byte[]> binaries() {
        return received().stream().filter(byte[].class::isInstance).map(byte[].class::cast).toList();
    }

    /** Written but not flushed yet. */
    public int unflushedCount() {
        synchronized (lock) {
            return unflushed.size();
        }
    }

    /** Forgets what was received so far, so a test can look at what comes next only. */
    public void clearReceived() {
        synchronized (lock) {
            received.clear();
        }
    }

    public int flushCount() {
        return flushes.get();
    }

    public int writeCount() {
        return writes.get();
    }

    /** The reason of the first close, or null while open. */
    public CloseReason closeReason() {
        return closeReason.get();
    }

    public int closeCalls() {
        return closeCalls.get();
    }

    @Override
    public String toString() {
        return "TestConnection[" + address + " on " + loop.name() + "]";
    }

    private void checkOnLoop(String what) {
        if (!loop.inLoop()) {
            loop.violation(what + " on " + address + " called off its loop " + loop.name());
        }
    }

    private Object decode(EncodedFrame frame) {
        if (!(frame instanceof TestFrame testFrame)) {
            loop.violation("write of a frame the test encoder did not make: " + frame);
            return frame;
        }
        if (testFrame.refCnt() <= 0) {
            loop.violation("write of an already released frame " + frame + " to " + address);
        }
        return testFrame.message() != null ? testFrame.message() : testFrame.binary();
    }
}
