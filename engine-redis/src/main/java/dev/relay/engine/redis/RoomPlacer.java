package dev.relay.engine.redis;

import dev.relay.core.protocol.ServerMessage;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Places room messages in their shared streams, several per script call. Per room one call is in flight; what is
 * published meanwhile waits behind it and goes out as the next call, up to {@link #MAX_BATCH} messages. A room's
 * calls never overlap and Redis runs a script at once, so a room's seq order is the order its messages reached
 * {@link #place}; and a batch costs one script call and one {@code PUBLISH} (one pub/sub message for every node to
 * read) instead of one of each per message.
 *
 * <p>The script, per message: with a retry key, answers an earlier placement still in the dedup window; otherwise
 * increments the room's {@code seq} (kept with the {@code epoch} in a hash), appends the message to the room's capped
 * stream under the id {@code <seq>-1} and remembers the placement under the retry key. A retry within one batch is
 * answered like one in a later batch. Then it publishes the new placements as one {@link RoomFrames} payload.
 *
 * <p>Thread-safe and lock-free: a queue per room, and whoever flips the room's {@code sending} flag sends the next
 * batch (a publisher's thread, or Lettuce's when the previous call answers).
 */
final class RoomPlacer {
    /** Messages per script call at most: bounds the script's run time, during which Redis does nothing else. */
    static final int MAX_BATCH = 128;

    /**
     * KEYS: meta, stream, then one dedup key per message. ARGV: proposed epoch, max length, channel (empty: another
     * broker fans out), then per message: body, id, timestamp, dedup ms (0: no retry key). Returns per message
     * "N seq epoch" for a new placement, "D seq epoch id timestamp" for a retry of an earlier one.
     */
    private static final String PLACE = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            local replies = {}
            local frames = {}
            for i = 1, #KEYS - 2 do
              local a = 3 + (i - 1) * 4
              local dedup = ARGV[a + 4] ~= '0'
              local seen = dedup and redis.call('GET', KEYS[i + 2])
              if seen then
                replies[i] = 'D ' .. seen
              else
                if not epoch then
                  epoch = ARGV[1]
                  redis.call('DEL', KEYS[2])
                  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
                end
                local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
                local body = ARGV[a + 1]
                redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-1', 'e', epoch, 'b', body)
                frames[#frames + 1] = seq .. ' ' .. epoch .. ' ' .. #body .. '\\n' .. body
                if dedup then
                  redis.call('SET', KEYS[i + 2], seq .. ' ' .. epoch .. ' ' .. ARGV[a + 2] .. ' ' .. ARGV[a + 3],
                    'PX', ARGV[a + 4])
                end
                replies[i] = 'N ' .. seq .. ' ' .. epoch
              end
            end
            if ARGV[3] ~= '' and #frames > 0 then
              redis.call('PUBLISH', ARGV[3], table.concat(frames))
            end
            return replies
            """;

    private final Keys keys;
    private final RedisOptions options;
    private final RedisLink link;
    /** The script as this topology runs it: its {@code PUBLISH} is {@code SPUBLISH} on a Redis Cluster. */
    private final byte[] script;
    private final ConcurrentHashMap<String, RoomQueue> queues = new ConcurrentHashMap<>();
    private volatile String digest;
    /** Runs a batch's completions so that what they hand over goes out together ({@code Inbound.together}). */
    private volatile Consumer<Runnable> together = Runnable::run;

    RoomPlacer(Keys keys, RedisOptions options, RedisLink link) {
        this.keys = keys;
        this.options = options;
        this.link = link;
        this.script = Keys.bytes(PLACE.replace("'PUBLISH'", "'" + link.publishCommand() + "'"));
    }

    /** How a batch's completions are run: so that the acks they lead to go out together. */
    void completeTogether(Consumer<Runnable> together) {
        this.together = together;
    }

    /** Loads the script (blocking: at start, once connected). */
    void load() {
        digest = link.commands().scriptLoad(script).toCompletableFuture().join();
    }

    /**
     * Queues a message for its room's next script call. {@code body} is the message encoded for the broker;
     * {@code retryKey} null (or a zero dedup window) means no retry dedup; {@code publish} false keeps the message
     * in the stream only. Completes on Lettuce's thread with the message as placed, or fails with Lettuce's error.
     */
    CompletableFuture<ServerMessage> place(ServerMessage draft, byte[] body, String proposedEpoch, String retryKey,
                                           boolean publish) {
        String roomId = draft.roomId();
        boolean dedup = retryKey != null && !options.dedupWindow().isZero();
        Placement placement = new Placement(draft, body, proposedEpoch, publish,
                Keys.bytes(keys.roomDedup(roomId, dedup ? retryKey : "-")),
                Keys.bytes(dedup ? Long.toString(options.dedupWindow().toMillis()) : "0"), new CompletableFuture<>());
        RoomQueue queue = queues.computeIfAbsent(roomId, id -> new RoomQueue());
        queue.waiting.add(placement);
        drain(roomId, queue);
        return placement.placed;
    }

    /** Forgets a deleted room's queue; a publish racing with the deletion starts a new one. */
    void forget(String roomId) {
        queues.remove(roomId);
    }

    /** Sends the room's next batch unless one is in flight; the one in flight sends it when it answers. */
    private void drain(String roomId, RoomQueue queue) {
        while (!queue.waiting.isEmpty() && queue.sending.compareAndSet(false, true)) {
            List<Placement> batch = queue.take();
            if (batch.isEmpty()) {
                queue.sending.set(false);
                continue; // taken by nobody: only the holder of the flag polls, so this only repeats the check
            }
            send(roomId, batch, () -> {
                queue.sending.set(false);
                drain(roomId, queue);
            });
            return;
        }
    }

    /** One script call for the batch; {@code next} runs as soon as Redis has answered, before the acks. */
    private void send(String roomId, List<Placement> batch, Runnable next) {
        Placement first = batch.getFirst();
        byte[][] keyArgs = new byte[2 + batch.size()][];
        keyArgs[0] = Keys.bytes(keys.roomMeta(roomId));
        keyArgs[1] = Keys.bytes(keys.roomStream(roomId));
        byte[][] values = new byte[3 + 4 * batch.size()][];
        values[0] = Keys.bytes(first.proposedEpoch());
        values[1] = Keys.bytes(Integer.toString(options.streamLength()));
        values[2] = Keys.bytes(first.publish() ? keys.roomChannel(roomId) : "");
        for (int i = 0; i < batch.size(); i++) {
            Placement p = batch.get(i);
            keyArgs[2 + i] = p.dedupKey();
            values[3 + 4 * i] = p.body();
            values[4 + 4 * i] = Keys.bytes(p.draft().id());
            values[5 + 4 * i] = Keys.bytes(p.draft().timestamp().toString());
            values[6 + 4 * i] = p.dedupMillis();
        }
        CompletableFuture<List<Object>> reply;
        try {
            RedisClusterAsyncCommands<byte[], byte[]> async = link.commands();
            reply = RedisCalls.script(async, script, digest, ScriptOutputType.MULTI, keyArgs, values);
        } catch (RuntimeException e) { // no connection yet, or closed
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((answers, failure) -> {
            next.run();
            together.accept(() -> complete(batch, answers, failure));
        });
    }

    private static void complete(List<Placement> batch, List<Object> answers, Throwable failure) {
        for (int i = 0; i < batch.size(); i++) {
            Placement p = batch.get(i);
            if (failure != null) {
                p.placed().completeExceptionally(failure);
                continue;
            }
            try {
                p.placed().complete(placement(p.draft(), Keys.text((byte[]) answers.get(i))));
            } catch (RuntimeException unreadable) {
                p.placed().completeExceptionally(unreadable);
            }
        }
    }

    /** "N seq epoch" for a new placement, "D seq epoch id timestamp" for a retry of an earlier one. */
    private static ServerMessage placement(ServerMessage draft, String reply) {
        String[] parts = reply.split(" ");
        long seq = Long.parseLong(parts[1]);
        if (parts[0].equals("D")) {
            return new ServerMessage(parts[3], draft.type(), draft.from(), draft.to(), draft.roomId(), draft.content(),
                    draft.data(), Instant.parse(parts[4]), seq, parts[2]);
        }
        return draft.at(seq, parts[2]);
    }

    /** A message waiting for its script call. */
    private record Placement(ServerMessage draft, byte[] body, String proposedEpoch, boolean publish, byte[] dedupKey,
                             byte[] dedupMillis, CompletableFuture<ServerMessage> placed) {
    }

    /** A room's waiting messages; only the holder of {@code sending} takes from it. */
    private static final class RoomQueue {
        final ConcurrentLinkedQueue<Placement> waiting = new ConcurrentLinkedQueue<>();
        final AtomicBoolean sending = new AtomicBoolean();

        /** The next batch: waiting messages in order, as long as they share the epoch and whether to publish. */
        List<Placement> take() {
            List<Placement> batch = new ArrayList<>(Math.min(MAX_BATCH, 16));
            Placement first = waiting.poll();
            if (first == null) {
                return batch;
            }
            batch.add(first);
            Placement next;
            while (batch.size() < MAX_BATCH && (next = waiting.peek()) != null && next.publish() == first.publish()
                    && next.proposedEpoch().equals(first.proposedEpoch())) {
                batch.add(waiting.poll());
            }
            return batch;
        }
    }
}
