package dev.relay.bench.raw;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Broadcast with one encoded frame per message and one task per event loop: each loop's clients are a plain list
 * touched only by that loop; a loop drains its queued frames into one buffer and writes it to every client with one
 * flush each.
 */
final class BatchedBroadcast {
    private static final int BATCH = 256;
    private final ConcurrentHashMap<EventLoop, Lane> lanes = new ConcurrentHashMap<>();

    void join(Channel channel) {
        lane(channel.eventLoop()).channels.add(channel); // on the channel's own loop
    }

    void leave(Channel channel) {
        Lane lane = lanes.get(channel.eventLoop());
        if (lane != null) {
            lane.channels.remove(channel);
        }
    }

    /** Frames the payload once (server frames are unmasked, so the bytes suit every client) and queues it. */
    void broadcast(ByteBufAllocator allocator, ByteBuf payload) {
        int length = payload.readableBytes();
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = allocator.directBuffer(header + length);
        frame.writeByte(0x81);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        frame.writeBytes(payload, payload.readerIndex(), length);
        try {
            for (Lane lane : lanes.values()) {
                lane.submit(frame.retain());
            }
        } finally {
            frame.release();
        }
    }

    private Lane lane(EventLoop loop) {
        return lanes.computeIfAbsent(loop, Lane::new);
    }

    private static final class Lane implements Runnable {
        private final EventLoop loop;
        private final List<Channel> channels = new ArrayList<>();
        private final Queue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Lane(EventLoop loop) {
            this.loop = loop;
        }

        void submit(ByteBuf frame) {
            queue.offer(frame);
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            // The frames of this batch back to back in one buffer owned by this loop (each still its own WebSocket
            // frame): every client gets a duplicate of it, one write and one flush, and the reference count is
            // touched by this loop only.
            ByteBuf batch = null;
            ByteBuf frame;
            for (int n = 0; n < BATCH && (frame = queue.poll()) != null; n++) {
                if (batch == null) {
                    batch = frame.alloc().directBuffer(frame.readableBytes() * 8);
                }
                batch.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                frame.release();
            }
            if (batch != null) {
                for (Channel channel : channels) {
                    channel.writeAndFlush(batch.retainedDuplicate(), channel.voidPromise());
                }
                batch.release();
            }
            scheduled.set(false);
            if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }
    }
}
