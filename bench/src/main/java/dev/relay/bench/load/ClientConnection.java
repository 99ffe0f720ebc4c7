package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: the WebSocket handshake, a minimal frame reader that scans text frames in place (no frame
 * objects, no copies), and the publishing side. Everything but the start and stop calls runs on the channel's event
 * loop. Servers never mask, so a frame's payload is read straight out of the receive buffer.
 */
final class ClientConnection extends ByteToMessageDecoder {
    private static final ByteBuf HEADERS_END = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    private static final byte[] WELCOME = "\"type\":\"welcome\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_FRAME = 16 * 1024 * 1024;

    private enum State { HANDSHAKE, OPEN, CLOSED }

    final int index;
    private final Target target;
    private final String request;
    private final Metrics metrics;
    private final Group group;
    private final int publisherIndex;
    private final SequenceTracker tracker;
    private final Target.Template template;
    private final int size;
    private final int maskKey = ThreadLocalRandom.current().nextInt();
    final CompletableFuture<ClientConnection> ready = new CompletableFuture<>();

    private State state = State.HANDSHAKE;
    private ByteBuf fragments;
    /** The message being reassembled was compressed (RSV1 on its first frame). */
    private boolean fragmentsCompressed;
    /** Inflates permessage-deflate messages; made at the first one, kept for the server's context takeover. */
    private java.util.zip.Inflater inflater;
    private ChannelHandlerContext ctx;
    private volatile long startNanos;
    private volatile boolean closing;

    // Publishing, on the event loop only.
    private boolean publishing;
    private long sent;
    private int window;
    private double ratePerNano;
    private long pacingStart;
    private ScheduledFuture<?> ticker;
    private final Payload.Sink sink = this::received;
    private org.HdrHistogram.Histogram latency;
    private org.HdrHistogram.Histogram sentLatency;
    /** Frames are copied here once and scanned as an array: cheaper than reading the buffer byte by byte. */
    private static final io.netty.util.concurrent.FastThreadLocal<byte[]> SCRATCH =
            new io.netty.util.concurrent.FastThreadLocal<>() {
                @Override
                protected byte[] initialValue() {
                    return new byte[64 * 1024];
                }
            };

    /**
     * @param group          the group this connection receives from, or null when it only connects (idle, connect)
     * @param publisherIndex its number among the group's publishers, or -1 when it does not publish
     * @param template       the bytes around its payloads, or null when it does not publish
     */
    ClientConnection(int index, Target target, String host, int port, String requestTarget, Metrics metrics,
                     Group group, int publisherIndex, Target.Template template, int size, boolean offerDeflate) {
        this.index = index;
        this.target = target;
        this.metrics = metrics;
        this.group = group;
        this.publisherIndex = publisherIndex;
        this.tracker = group == null ? null : new SequenceTracker(group.publishers);
        this.template = template;
        this.size = size;
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        this.request = "GET " + requestTarget + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
                + "\r\n";
    }

    /** Marks the moment the connect starts, for the handshake latency. */
    void starting() {
        startNanos = System.nanoTime();
    }

    /** Where this connection goes when it is not the run's one server (the cluster scenario spreads them). */
    private java.net.InetSocketAddress server;

    ClientConnection to(java.net.InetSocketAddress node) {
        this.server = node;
        return this;
    }

    java.net.InetSocketAddress server() {
        return server;
    }

    SequenceTracker tracker() {
        return tracker;
    }

    Group group() {
        return group;
    }

    boolean isPublisher() {
        return publisherIndex >= 0;
    }

    // ---- the handshake ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.latency = metrics.latencyOf(ctx.executor());
        this.sentLatency = metrics.sentLatencyOf(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.HANDSHAKE) {
            int end = ByteBufUtil.indexOf(HEADERS_END, in);
            if (end < 0) {
                if (in.readableBytes() > 16 * 1024) {
                    fail("the handshake answer has no end");
                }
                return;
            }
            String statusLine = in.toString(in.readerIndex(), Math.min(64, end - in.readerIndex()),
                    StandardCharsets.US_ASCII).lines().findFirst().orElse("");
            if (!statusLine.startsWith("HTTP/1.1 101")) {
                String body = in.toString(end + 4, in.writerIndex() - end - 4, StandardCharsets.UTF_8);
                fail("the server answered the upgrade with '" + statusLine + "' " + body.strip());
                return;
            }
            in.readerIndex(end + 4);
            state = State.OPEN;
            if (target == Target.RAW) {
                becomeReady();
            }
        }
        while (state == State.OPEN && in.readableBytes() >= 2) {
            int at = in.readerIndex();
            int b0 = in.getUnsignedByte(at);
            int b1 = in.getUnsignedByte(at + 1);
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            long length = b1 & 0x7F;
            int header = 2;
            if ((b1 & 0x80) != 0) {
                fail("the server sent a masked frame");
                return;
            }
            if (length == 126) {
                if (in.readableBytes() < 4) {
                    return;
                }
                length = in.getUnsignedShort(at + 2);
                header = 4;
            } else if (length == 127) {
                if (in.readableBytes() < 10) {
                    return;
                }
                length = in.getLong(at + 2);
                header = 10;
            }
            if (length > MAX_FRAME) {
                fail("the server sent a frame of " + length + " bytes");
                return;
            }
            if (in.readableBytes() < header + length) {
                return;
            }
            int from = at + header;
            int to = from + (int) length;
            switch (opcode) {
                case 0x0, 0x1, 0x2 -> {
                    boolean compressed = (b0 & 0x40) != 0;
                    if (fin && fragments == null) {
                        if (compressed) {
                            inflated(in, from, to);
                        } else {
                            data(in, from, to);
                        }
                    } else {
                        // A fragmented message (Gorilla splits coalesced ones at its 1 KiB write buffer): a payload
                        // may straddle two fragments, so scan the message once it is whole.
                        if (fragments == null) {
                            fragments = ctx.alloc().heapBuffer();
                            fragmentsCompressed = compressed;
                        }
                        fragments.writeBytes(in, from, to - from);
                        if (fin) {
                            if (fragmentsCompressed) {
                                inflated(fragments, fragments.readerIndex(), fragments.writerIndex());
                            } else {
                                data(fragments, fragments.readerIndex(), fragments.writerIndex());
                            }
                            releaseFragments();
                        }
                    }
                }
                case ClientFrames.OPCODE_PING -> ctx.write(ClientFrames.control(ctx.alloc(), ClientFrames.OPCODE_PONG,
                        in.slice(from, to - from), maskKey), ctx.voidPromise());
                case ClientFrames.OPCODE_CLOSE -> {
                    state = State.CLOSED;
                    ctx.writeAndFlush(ClientFrames.control(ctx.alloc(), ClientFrames.OPCODE_CLOSE,
                            in.slice(from, Math.min(2, to - from)), maskKey));
                    ctx.close();
                }
                default -> { } // pong
            }
            in.readerIndex(to);
        }
        if (state == State.CLOSED) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** Inflates one permessage-deflate message (RFC 7692: the sender dropped the 00 00 ff ff tail) and reads it. */
    private void inflated(ByteBuf in, int from, int to) {
        if (inflater == null) {
            inflater = new java.util.zip.Inflater(true);
        }
        byte[] compressed = new byte[to - from + 4];
        in.getBytes(from, compressed, 0, to - from);
        compressed[compressed.length - 2] = (byte) 0xff;
        compressed[compressed.length - 1] = (byte) 0xff;
        inflater.setInput(compressed);
        ByteBuf out = ctx.alloc().heapBuffer(4 * compressed.length);
        try {
            while (!inflater.finished()) {
                out.ensureWritable(4096);
                int n = inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
                out.writerIndex(out.writerIndex() + n);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (inflater.finished()) {
                inflater.reset();
            }
            data(out, out.readerIndex(), out.writerIndex());
        } catch (java.util.zip.DataFormatException e) {
            fail("the server sent data that does not inflate: " + e.getMessage());
        } finally {
            out.release();
        }
    }

    private void data(ByteBuf in, int from, int to) {
        int found = 0;
        if (group != null) {
            int length = to - from;
            byte[] scratch = SCRATCH.get();
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
                SCRATCH.set(scratch);
            }
            in.getBytes(from, scratch, 0, length);
            found = Payload.scan(scratch, 0, length, sink);
        }
        if (found > 0) {
            metrics.frames.increment();
            metrics.deliveries.add(found);
            return;
        }
        switch (target) {
            case RELAY -> {
                if (!ready.isDone() && contains(in, from, to, WELCOME)) {
                    becomeReady();
                } else if (contains(in, from, to, ERROR)) {
                    metrics.errors.increment();
                }
            }
            case SOCKETIO, RELAY_SOCKETIO -> {
                byte first = to > from ? in.getByte(from) : 0;
                byte second = to > from + 1 ? in.getByte(from + 1) : 0;
                if (first == '0') {
                    sendText("40"); // engine.io open: connect to the default namespace
                } else if (first == '4' && second == '0') {
                    becomeReady();
                } else if (first == '2' && to == from + 1) {
                    sendText("3"); // engine.io ping
                }
            }
            case RAW -> { }
        }
    }

    private void received(int publisher, long sequence, long sentNanos, long lagNanos) {
        tracker.record(publisher, sequence);
        long fromSend = Math.max(0, metrics.now() - sentNanos);
        sentLatency.recordValue(fromSend);
        latency.recordValue(fromSend + lagNanos);
    }

    private static boolean contains(ByteBuf in, int from, int to, byte[] needle) {
        outer:
        for (int i = from, last = to - needle.length; i <= last; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (in.getByte(i + k) != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void becomeReady() {
        metrics.handshakes.recordValue(System.nanoTime() - startNanos);
        ready.complete(this);
    }

    private void fail(String why) {
        state = State.CLOSED;
        ready.completeExceptionally(new IllegalStateException(why));
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (publishing && window > 0) {
            pumpWindow();
        }
        ctx.flush(); // pongs, socket.io answers
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && publishing && window > 0) {
            pumpWindow();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void releaseFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseFragments();
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        publishing = false;
        releaseFragments();
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("the server closed the connection before it was ready"));
        } else if (!closing) {
            metrics.dropped.increment();
        }
        state = State.CLOSED;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            ready.completeExceptionally(cause);
        }
        ctx.close();
    }

    // ---- publishing ----

    /**
     * Starts publishing on the event loop: with {@code totalRate} 0, as fast as the server echoes (at most
     * {@code window} own messages in flight); otherwise {@code rate} messages a second, each stamped with its planned
     * send time as well as the actual one, so a stall shows up as latency instead of silently slowing the load.
     */
    void startPublishing(double rate, int window) {
        ctx.executor().execute(() -> {
            if (state != State.OPEN) {
                return;
            }
            publishing = true;
            this.window = rate > 0 ? 0 : window;
            if (rate > 0) {
                ratePerNano = rate / 1e9;
                pacingStart = metrics.now();
                tick();
            } else {
                pumpWindow();
            }
        });
    }

    void stopPublishing() {
        ctx.executor().execute(() -> {
            publishing = false;
            if (ticker != null) {
                ticker.cancel(false);
            }
        });
    }

    private void pumpWindow() {
        long inFlight = sent - tracker.seen(publisherIndex);
        int written = 0;
        while (inFlight < window && ctx.channel().isWritable()) {
            publish(metrics.now(), 0);
            inFlight++;
            written++;
        }
        if (written > 0) {
            ctx.flush();
        }
    }

    private void tick() {
        if (!publishing) {
            return;
        }
        long now = metrics.now();
        int written = 0;
        while (ctx.channel().isWritable() && written < 10_000) {
            long planned = pacingStart + (long) (sent / ratePerNano);
            if (planned > now) {
                break;
            }
            metrics.sendLag.recordValue(now - planned);
            publish(now, now - planned);
            written++;
        }
        if (written > 0) {
            ctx.flush();
        }
        long next = pacingStart + (long) (sent / ratePerNano);
        ticker = ctx.executor().schedule(this::tick, Math.max(0, next - metrics.now()), TimeUnit.NANOSECONDS);
    }

    private void publish(long sentNanos, long lagNanos) {
        ByteBuf frame = ClientFrames.start(ctx.alloc(), template.prefix().length + size + template.suffix().length + 48);
        frame.writeBytes(template.prefix());
        Payload.write(frame, publisherIndex, sent, sentNanos, lagNanos, size);
        frame.writeBytes(template.suffix());
        ctx.write(ClientFrames.seal(frame, ClientFrames.OPCODE_TEXT, maskKey), ctx.voidPromise());
        sent++;
        group.sent.lazySet(publisherIndex, sent);
        metrics.published.increment();
    }

    private void sendText(String text) {
        ByteBuf frame = ClientFrames.start(ctx.alloc(), text.length());
        frame.writeCharSequence(text, StandardCharsets.UTF_8);
        ctx.write(ClientFrames.seal(frame, ClientFrames.OPCODE_TEXT, maskKey), ctx.voidPromise());
    }

    /** Closes from any thread; the run no longer counts it as dropped. */
    void close() {
        closing = true;
        if (ctx != null) {
            ctx.channel().close();
        }
    }

    /** Runs {@code task} on this connection's event loop and waits for it. */
    <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return ctx.executor().submit(task).get(10, TimeUnit.SECONDS);
    }

    boolean isOpen() {
        return state == State.OPEN && ctx != null && ctx.channel().isActive();
    }
}
