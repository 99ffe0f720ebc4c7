package dev.relay.engine.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the engine reaches Redis, chosen by the URL: one connection for commands and one for pub/sub, with publish and
 * subscribe meaning classic pub/sub on one server ({@code redis://}, {@code rediss://}, or a master found through
 * Sentinel, {@code redis-sentinel://}) and sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}) on a Redis Cluster
 * ({@code redis-cluster://h1:p1,h2:p2}, {@code rediss-cluster://...} with TLS), where a channel lives on the shard of
 * its hash slot and a message crosses no other shard.
 *
 * <p>Everything else the broker sends is an ordinary command on {@link #commands()}: on a cluster Lettuce routes it
 * by the key's slot, so every multi-key command must name keys of one slot (they share a hash tag).
 */
abstract sealed class RedisLink implements AutoCloseable permits StandaloneLink, RedisClusterLink {
    /** Called on Lettuce's event loop with the channel and the payload of every message that arrives. */
    interface Listener {
        void message(String channel, byte[] payload);

        /** The connection to Redis was lost (once per outage). */
        void down();

        /** Subscriptions are back after an outage, a failover or a slot move: messages may have been missed. */
        void resubscribed(String where);
    }

    /** For a link that only sends commands: what it publishes reaches the nodes through the broker's subscriptions. */
    static final Listener NOT_LISTENING = new Listener() {
        @Override
        public void message(String channel, byte[] payload) {
        }

        @Override
        public void down() {
        }

        @Override
        public void resubscribed(String where) {
        }
    };

    final Set<String> followed = ConcurrentHashMap.newKeySet();
    volatile Listener listener;
    volatile boolean closing;

    /** Picks the topology from the URL's scheme; connects nothing yet. */
    static RedisLink of(String url, int requestQueueSize, Duration commandTimeout) {
        String scheme = url.substring(0, Math.max(0, url.indexOf("://"))).toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "redis-cluster", "rediss-cluster" ->
                    new RedisClusterLink(seeds(url), requestQueueSize, commandTimeout);
            default -> new StandaloneLink(RedisURI.create(url), requestQueueSize, commandTimeout);
        };
    }

    /** {@code redis-cluster://[user:pass@]h1:p1,h2:p2[?options]} to one {@code redis://} (or rediss) URI per seed. */
    static List<RedisURI> seeds(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT).startsWith("rediss") ? "rediss" : "redis";
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no host in " + url);
        }
        String userInfo = "";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            userInfo = authority.substring(0, at + 1);
            authority = authority.substring(at + 1);
        }
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : authority.split(",")) {
            seeds.add(RedisURI.create(scheme + "://" + userInfo + hostPort.strip() + query));
        }
        return seeds;
    }

    @Override
    public abstract void close();

    /** Connects both connections (blocking, at start); fails if Redis cannot be reached. */
    abstract void connect(Listener listener);

    abstract RedisClusterAsyncCommands<byte[], byte[]> commands();

    /** The command a Lua script fans a room message out with; its channel must share the script's hash tag. */
    abstract String publishCommand();

    abstract CompletionStage<Long> publish(String channel, byte[] payload);

    /**
     * Subscribes (asynchronously); the subscription is kept across reconnects, failovers and slot moves. Completes
     * once Redis confirms it, or fails while Redis refuses it (it is then tried again in the background).
     */
    final CompletableFuture<Void> follow(String channel) {
        followed.add(channel);
        return subscribe(channel);
    }

    final void unfollow(String channel) {
        followed.remove(channel);
        unsubscribe(channel);
    }

    /** Subscribes and waits for Redis to confirm (at start). */
    abstract void followNow(String channel);

    abstract CompletableFuture<Void> subscribe(String channel);

    abstract void unsubscribe(String channel);

    abstract boolean isOpen();

    /**
     * Whether {@code WAIT} after a command covers it: true where every command goes over one connection to one
     * master; on a cluster each shard has its own connection and a keyless {@code WAIT} would land on any of them.
     */
    abstract boolean supportsWait();

    static boolean open(StatefulConnection<?, ?> connection) {
        return connection != null && connection.isOpen();
    }

    final void shut(AbstractRedisClient client, StatefulConnection<?, ?> commands, StatefulConnection<?, ?> pubSub) {
        closing = true;
        if (pubSub != null) {
            pubSub.close();
        }
        if (commands != null) {
            commands.close();
        }
        client.shutdown();
    }
}
