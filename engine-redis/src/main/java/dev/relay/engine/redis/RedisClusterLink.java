package dev.relay.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
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
import reactor.core.Disposable;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis Cluster. Lettuce routes each {@code SSUBSCRIBE} to the shard that owns the channel's slot and keeps it
 * across a reconnect to the same node, but not when the slot moves or a replica takes over: then the server ends
 * the subscription ({@code sunsubscribe}) or the node is gone. So a channel still followed is subscribed again
 * after the topology is refreshed, and the broker is told to catch up what it may have missed meanwhile.
 */
final class RedisClusterLink extends RedisLink {
    private static final Duration REFRESH = Duration.ofSeconds(10);
    private final RedisClusterClient client;
    private volatile StatefulRedisClusterConnection<byte[], byte[]> commands;
    private volatile StatefulRedisClusterPubSubConnection<byte[], byte[]> pubSub;
    private volatile Disposable topologyEvents;
    private final Set<RedisChannelHandler<?, ?>> dropped = ConcurrentHashMap.newKeySet();
    /** Where each connection went when it last connected: a dropped one matters while that node serves slots. */
    private final Map<RedisChannelHandler<?, ?>, SocketAddress> addresses = new ConcurrentHashMap<>();
    private final Set<String> again = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean roundScheduled = new AtomicBoolean();

    RedisClusterLink(List<RedisURI> seeds, int requestQueueSize, Duration commandTimeout) {
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
                    resubscribeSoon(name); // the server dropped it: its slot moved away
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

    /** A subscription refused (its shard unreachable, a node not connected yet) is tried again soon. */
    @Override
    CompletableFuture<Void> subscribe(String channel) {
        return ssubscribe(channel).toCompletableFuture().thenCompose(subscribed -> subscribed
                ? CompletableFuture.<Void>completedFuture(null)
                : CompletableFuture.<Void>failedFuture(new IllegalStateException(
                        "Redis refused the subscription to " + channel + "; trying again")));
    }

    private CompletionStage<Boolean> ssubscribe(String channel) {
        return pubSub.async().ssubscribe(Keys.bytes(channel)).handle((done, failure) -> {
            if (failure != null && !closing && followed.contains(channel)) {
                resubscribeSoon(channel);
            }
            return failure == null;
        });
    }

    /**
     * Channels to subscribe again, gathered for half a second and done in one round after a topology refresh (a
     * slot move ends every channel of the slot; a shard that is down refuses all of its channels). One catch-up per
     * round that got any of them back, not one per channel: a catch-up reads every room.
     */
    private void resubscribeSoon(String channel) {
        again.add(channel);
        if (roundScheduled.compareAndSet(false, true)) {
            CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS).execute(() ->
                    client.refreshPartitionsAsync().whenComplete((refreshed, failure) -> resubscribeRound()));
        }
    }

    private void resubscribeRound() {
        roundScheduled.set(false);
        List<String> channels = List.copyOf(again);
        again.removeAll(channels);
        List<CompletableFuture<Boolean>> results = channels.stream().filter(followed::contains)
                .map(c -> ssubscribe(c).toCompletableFuture()).toList();
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((all, failure) -> {
            if (results.stream().anyMatch(r -> r.getNow(false))) {
                listener.resubscribed("subscribed again to channels whose slot moved or whose shard refused");
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
