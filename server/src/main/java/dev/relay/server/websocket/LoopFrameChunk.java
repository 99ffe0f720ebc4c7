package dev.relay.server.websocket;

import dev.relay.server.codec.WireFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One event loop's chunk of bytes holding a copy of the small frames its connections are being sent (a new chunk when
 * the current one is full). A frame is copied once per loop into the shared chunk (the core's lane writes one frame to
 * all its members before the next, so "the frame copied last" is the only lookup); a connection whose frames of a batch
 * sit back to back in the chunk sends them as one slice. The chunk's reference count is touched by this loop only.
 * Event loop threads only.
 */
final class LoopFrameChunk {
    /** Bytes per chunk; at least {@link NettyConnection#COPY_LIMIT} so any small frame fits an empty one. */
    static final int CHUNK_BYTES = 32 * 1024;

    private static final FastThreadLocal<LoopFrameChunk> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopFrameChunk initialValue() {
            return new LoopFrameChunk();
        }

        @Override
        protected void onRemoval(LoopFrameChunk chunk) {
            chunk.release();
        }
    };

    private ByteBuf chunk;
    private WireFrame last;
    private int start;
    private int end;

    private LoopFrameChunk() {
    }

    /** The calling event loop's chunk. */
    static LoopFrameChunk current() {
        return PER_LOOP.get();
    }

    /**
     * Makes sure the frame's bytes are in the current chunk and returns the chunk; {@link #start()} and {@link #end()}
     * then tell where. This keeps its own reference to the chunk: a caller that holds on to it must retain it.
     */
    ByteBuf place(WireFrame frame, ByteBufAllocator allocator) {
        if (frame != last || chunk == null) {
            int size = frame.wireLength();
            if (chunk == null || chunk.writableBytes() < size) {
                release();
                chunk = allocator.directBuffer(Math.max(CHUNK_BYTES, size), Math.max(CHUNK_BYTES, size));
            }
            start = chunk.writerIndex();
            frame.copyTo(chunk);
            end = chunk.writerIndex();
            last = frame;
        }
        return chunk;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    private void release() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
            last = null;
        }
    }
}
