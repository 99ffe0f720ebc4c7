package dev.relay.engine.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import reactor.core.Disposable;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
abstract sealed class RedisLink implements AutoCloseable permits RedisLink.Single, RedisLink.Cluster {
    /** Called on Lettuce's event loop with the channel and the payload of every message that arrives. */
    interface Listener {
        void message(String channel, byte[] payload);

        /** The connection to Redis was lost (once per outage). */
        void down();

        /** Subscriptions are back after an outage, a failover or a slot move: messages may have been missed. */
        void resubscribed(String where);
    }

    final Set<String> followed = ConcurrentHashMap.newKeySet();
    volatile Listener listener;
    volatile boolean closing;

    /** Picks the topology from the URL's scheme; connects nothing yet. */
    static RedisLink of(String url, int requestQueueSize, Duration commandTimeout) {
        String scheme = url.substring(0, Math.max(0, url.indexOf("://"))).toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "redis-cluster", "rediss-cluster" -> new Cluster(seeds(url), requestQueueSize, commandTimeout);
            default -> new Single(RedisURI.create(url), requestQueueSize, commandTimeout);
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

    /** Subscribes (asynchronously); the subscription is kept across reconnects, failovers and slot moves. */
    final void follow(String channel) {
        followed.add(channel);
        subscribe(channel);
    }

    final void unfollow(String channel) {
        followed.remove(channel);
        unsubscribe(channel);
    }

    /** Subscribes and waits for Redis to confirm (at start). */
    abstract void followNow(String channel);

    abstract void subscribe(String channel);

    abstract void unsubscribe(String channel);

    abstract boolean isOpen();

    /**
     * Whether {@code WAIT} after a command covers it: true where every command goes over one connection to one
     * master; on a cluster each shard has its own connection and a keyless {@code WAIT} would land on any of them.
     */
    abstract boolean supportsWait();

    /** One Redis server, or the master that Sentinel names (Lettuce asks the Sentinels again on every reconnect). */
    static final class Single extends RedisLink {
        private final RedisClient client;
        private volatile StatefulRedisConnection<byte[], byte[]> commands;
        private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
        private volatile boolean down;

        Single(RedisURI uri, int requestQueueSize, Duration commandTimeout) {
            client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(requestQueueSize)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .build());
        }

        @Override
        void connect(Listener listener) {
            this.listener = listener;
            commands = client.connect(ByteArrayCodec.INSTANCE);
            pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    listener.message(Keys.text(channel), message);
                }
            });
            client.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    if (!closing && !down) {
                        down = true;
                        listener.down();
                    }
                }

                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    // Lettuce resubscribes every channel as the pub/sub connection activates.
                    if (connection == pubSub && down) {
                        down = false;
                        listener.resubscribed(String.valueOf(address));
                    }
                }
            });
        }

        @Override
        RedisClusterAsyncCommands<byte[], byte[]> commands() {
            return commands.async();
        }

        @Override
        String publishCommand() {
            return "PUBLISH";
        }

        @Override
        CompletionStage<Long> publish(String channel, byte[] payload) {
            return commands.async().publish(Keys.bytes(channel), payload);
        }

        @Override
        void followNow(String channel) {
            followed.add(channel);
            pubSub.sync().subscribe(Keys.bytes(channel));
        }

        @Override
        void subscribe(String channel) {
            pubSub.async().subscribe(Keys.bytes(channel));
        }

        @Override
        void unsubscribe(String channel) {
            pubSub.async().unsubscribe(Keys.bytes(channel));
        }

        @Override
        boolean isOpen() {
            return open(commands) && open(pubSub);
        }

        @Override
        boolean supportsWait() {
            return true;
        }

        @Override
        public void close() {
            shut(client, commands, pubSub);
        }
    }

    /**
     * A Redis Cluster. Lettuce routes each {@code SSUBSCRIBE} to the shard that owns the channel's slot and keeps it
     * across a reconnect to the same node, but not when the slot moves or a replica takes over: then the server ends
     * the subscription ({@code sunsubscribe}) or the node is gone. So a channel still followed is subscribed again
     * after the topology is refreshed, and the broker is told to catch up what it may have missed meanwhile.
     */
    static final class Cluster extends RedisLink {
        private static final Duration REFRESH = Duration.ofSeconds(10);
        private final RedisClusterClient client;
        private volatile StatefulRedisClusterConnection<byte[], byte[]> commands;
        private volatile StatefulRedisClusterPubSubConnection<byte[], byte[]> pubSub;
        private volatile Disposable topologyEvents;
        private final Set<RedisChannelHandler<?, ?>> dropped = ConcurrentHashMap.newKeySet();
        /** Where each connection went when it last connected: a dropped one matters while that node serves slots. */
        private final Map<RedisChannelHandler<?, ?>, SocketAddress> addresses = new ConcurrentHashMap<>();

        Cluster(List<RedisURI> seeds, int requestQueueSize, Duration commandTimeout) {
            client = RedisClusterClient.create(seeds);
            client.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(requestQueueSize)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(REFRESH)
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                            .refreshTriggersReconnectAttempts(2)
                            .build())
                    .build());
        }

        @Override
        void connect(Listener listener) {
            this.listener = listener;
            // Before connecting: every connection's address must be known, the first ones' included.
            // Any node's connection counts: losing one shard is an outage for the rooms on it, and it lasts until
            // every connection that dropped is back, closed, or to a node that no longer serves slots (a failed
            // master whose replica took over). Connections closed on purpose (Lettuce's short topology-refresh
            // ones) are no outage.
            client.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    if (!closing && !connection.isClosed() && dropped.add(connection) && dropped.size() == 1) {
                        listener.down();
                    }
                }

                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    addresses.put(connection, address);
                    if (dropped.remove(connection) && !isDown()) {
                        resubscribeAll("reconnected to " + address);
                    }
                }
            });
            commands = client.connect(ByteArrayCodec.INSTANCE);
            pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            connectEveryNode().join();
            pubSub.addListener(new RedisClusterPubSubAdapter<>() {
                @Override
                public void smessage(RedisClusterNode node, byte[] channel, byte[] message) {
                    listener.message(Keys.text(channel), message);
                }

                @Override
                public void sunsubscribed(RedisClusterNode node, byte[] channel, long count) {
                    String name = Keys.text(channel);
                    if (!closing && followed.contains(name)) {
                        // The server dropped it: its slot moved away. Ask for the new owner, then follow it there.
                        client.refreshPartitionsAsync().whenComplete((done, failure) -> {
                            if (followed.contains(name)) {
                                subscribe(name);
                                listener.resubscribed("slot of " + name + " moved");
                            }
                        });
                    }
                }
            });
            topologyEvents = client.getResources().eventBus().get()
                    .filter(ClusterTopologyChangedEvent.class::isInstance)
                    .subscribe(event -> resubscribeAll("cluster topology changed"));
        }

        /**
         * Lettuce opens a node's connection on its first command, and with commands rejected while disconnected that
         * first command would fail: connect to every master first (at start, and after the topology changed).
         */
        private CompletableFuture<Void> connectEveryNode() {
            List<CompletableFuture<?>> connecting = new ArrayList<>();
            for (RedisClusterNode node : commands.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    // By host and port: the key Lettuce looks a slot's connection up by.
                    connecting.add(commands.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort()));
                    connecting.add(pubSub.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort()));
                }
            }
            return CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new));
        }

        static void connectEveryNode(StatefulRedisClusterConnection<?, ?> connection) {
            for (RedisClusterNode node : connection.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    connection.getConnection(node.getUri().getHost(), node.getUri().getPort());
                }
            }
        }

        private boolean isDown() {
            addresses.keySet().removeIf(RedisChannelHandler::isClosed);
            dropped.removeIf(c -> c.isClosed() || !servesSlots(addresses.get(c)));
            return !dropped.isEmpty();
        }

        private boolean servesSlots(SocketAddress address) {
            if (!(address instanceof InetSocketAddress inet)) {
                return true; // unknown: count it
            }
            for (RedisClusterNode node : client.getPartitions()) {
                RedisURI uri = node.getUri();
                if (uri.getPort() == inet.getPort() && (uri.getHost().equals(inet.getHostString())
                        || inet.getAddress() != null && uri.getHost().equals(inet.getAddress().getHostAddress()))) {
                    return !node.getSlots().isEmpty(); // failed or not: its rooms have no one else
                }
            }
            return false; // no longer in the cluster
        }

        /** SSUBSCRIBE is idempotent on a node: subscribing again where nothing moved costs a reply, loses nothing. */
        private void resubscribeAll(String why) {
            if (closing) {
                return;
            }
            connectEveryNode().whenComplete((connected, failure) -> {
                followed.forEach(this::subscribe);
                listener.resubscribed(why);
            });
        }

        @Override
        RedisClusterAsyncCommands<byte[], byte[]> commands() {
            return commands.async();
        }

        @Override
        String publishCommand() {
            return "SPUBLISH";
        }

        @Override
        CompletionStage<Long> publish(String channel, byte[] payload) {
            return commands.async().spublish(Keys.bytes(channel), payload);
        }

        @Override
        void followNow(String channel) {
            followed.add(channel);
            pubSub.sync().ssubscribe(Keys.bytes(channel));
        }

        /** A subscription refused (its shard unreachable, a node not connected yet) is tried again each second. */
        @Override
        void subscribe(String channel) {
            pubSub.async().ssubscribe(Keys.bytes(channel)).whenComplete((done, failure) -> {
                if (failure != null && !closing && followed.contains(channel)) {
                    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
                        if (followed.contains(channel)) {
                            subscribe(channel);
                            listener.resubscribed("subscribed to " + channel + " after a refusal");
                        }
                    });
                }
            });
        }

        @Override
        void unsubscribe(String channel) {
            pubSub.async().sunsubscribe(Keys.bytes(channel));
        }

        @Override
        boolean isOpen() {
            return open(commands) && open(pubSub) && !isDown();
        }

        @Override
        boolean supportsWait() {
            return false;
        }

        @Override
        public void close() {
            if (topologyEvents != null) {
                topologyEvents.dispose();
            }
            shut(client, commands, pubSub);
        }
    }

    private static boolean open(StatefulConnection<?, ?> connection) {
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
