package dev.relay.server.cluster;

import dev.relay.core.Hub;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.cluster.Broker;
import dev.relay.engine.nats.NatsBroker;
import dev.relay.engine.redis.RedisAnalyticsStore;
import dev.relay.engine.redis.RedisBroker;
import dev.relay.engine.redis.RedisConnectionSlots;
import dev.relay.engine.redis.RedisOfflineMessages;
import dev.relay.engine.redis.RedisOptions;
import dev.relay.engine.redis.RedisPresence;
import dev.relay.engine.redis.RedisRoomPresence;
import dev.relay.engine.redis.RedisRetries;
import dev.relay.engine.redis.RedisSharedActivity;
import dev.relay.engine.redis.RedisUserState;
import dev.relay.server.config.ClusterConfig;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.websocket.SharedUserSlots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** Builds the hub as one node of a cluster through the configured engine, or as a single node. */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** Publishes waiting for the broker at most; more are refused as overloaded rather than queued. */
    static final int MAX_PENDING = 10_000;
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    public static final String BROKER_UNREACHABLE = "broker_unreachable";

    private final Hub hub;
    private final Broker broker;
    private final RedisPresence presence;
    private final RedisRoomPresence rooms;
    private final RedisUserState userState;
    private final RedisConnectionSlots userSlots;

    private ClusterNode(Hub hub, Broker broker, RedisPresence presence, RedisRoomPresence rooms,
                        RedisUserState userState, RedisConnectionSlots userSlots) {
        this.hub = hub;
        this.broker = broker;
        this.presence = presence;
        this.rooms = rooms;
        this.userState = userState;
        this.userSlots = userSlots;
    }

    /**
     * Connects to the engine (blocking, at start) and builds the hub with it; with a memory engine, builds the hub
     * as it is given.
     */
    public static ClusterNode join(RelayConfig config, Hub.Builder hubBuilder, JsonCodec wire) {
        ClusterConfig cluster = config.cluster();
        if (!cluster.clustered()) {
            // The seed's switches declare several nodes; nodes without a shared engine cannot see each other.
            if (cluster.enableLoadBalancing() || cluster.enableMessageQueue()) {
                String key = cluster.enableLoadBalancing() ? "enable_load_balancing" : "enable_message_queue";
                throw new ConfigException("websocket." + key + ": true needs nodes that share an engine; set engine"
                        + " to redis or nats, or set " + key + " to false");
            }
            return new ClusterNode(hubBuilder.build(), null, null, null, null, null);
        }
        String nodeId = cluster.nodeId().orElseGet(ClusterNode::madeUpNodeId);
        BrokerCodec codec = new BrokerCodec(wire);
        RedisBroker streams = new RedisBroker(new RedisOptions(cluster.redisUrl().toString(),
                cluster.redisKeyPrefix(), nodeId, Math.max(1, config.delivery().historySize()),
                config.delivery().dedupWindow(), MAX_PENDING, COMMAND_TIMEOUT, cluster.redisWaitReplicas()), codec);
        Broker redis = cluster.engine().equals(ClusterConfig.NATS)
                ? new NatsBroker(cluster.natsUrl().toString(), cluster.redisKeyPrefix(), nodeId, COMMAND_TIMEOUT,
                        codec, streams)
                : streams;
        RedisPresence presence = new RedisPresence(cluster.redisUrl().toString(), cluster.redisKeyPrefix(), nodeId,
                cluster.presenceTtl(), Clock.systemUTC());
        RedisRoomPresence rooms = new RedisRoomPresence(cluster.redisUrl().toString(), cluster.redisKeyPrefix(),
                nodeId, codec, redis, redis == streams);
        presence.rooms(rooms);
        RedisUserState userState = new RedisUserState(cluster.redisUrl().toString(), cluster.redisKeyPrefix(),
                MAX_PENDING, COMMAND_TIMEOUT);
        RedisConnectionSlots userSlots = null;
        Hub hub;
        try {
            userState.start();
            hubBuilder.broker(redis, COMMAND_TIMEOUT).roomPresence(rooms).presenceStore(presence);
            shareUserState(config, hubBuilder, codec, userState);
            hub = hubBuilder.build();
            int perUser = config.policies().maxConnectionsPerUser();
            if (perUser > 0) {
                userSlots = new RedisConnectionSlots(userState, perUser, nodeId, cluster.presenceTtl(),
                        Clock.systemUTC()).start();
            }
        } catch (RuntimeException e) {
            rooms.close();
            redis.close();
            presence.close();
            userState.close();
            throw new ConfigException("websocket.engine: cannot start the " + cluster.engine() + " engine (redis_url "
                    + cluster.redisUrl() + (cluster.engine().equals(ClusterConfig.NATS) ? ", nats_url "
                    + cluster.natsUrl() : "") + "): " + e.getMessage());
        }
        LOG.info("event=cluster_joined engine={} node_id={}", cluster.engine(), nodeId);
        return new ClusterNode(hub, redis, presence, rooms, userState, userSlots);
    }

    /**
     * What one node would keep per user goes to Redis: private messages held for users connected nowhere (as long
     * as the node would keep them: {@code history_ttl}, or {@code message_retention_days} with persistence, where the
     * message itself is also in the database), retried ids of private messages and broadcasts, and, with
     * {@code enable_user_status}, each user's latest activity.
     */
    private static void shareUserState(RelayConfig config, Hub.Builder hub, BrokerCodec codec,
                                       RedisUserState userState) {
        Duration held = config.messages().persistence().offlineTtl(config.messages().enableMessagePersistence()
                ? Duration.ofDays(config.messages().messageRetentionDays())
                : config.delivery().historyTtl());
        hub.offlineMessages(new RedisOfflineMessages(userState, codec,
                config.messages().persistence().offlineMaxMessages(), held, Clock.systemUTC()));
        Duration window = config.delivery().dedupWindow();
        if (!window.isZero()) {
            // Longer than an attempt can take: its publish and its hold, each bounded by the command timeout.
            hub.sharedRetries(new RedisRetries(userState, window, COMMAND_TIMEOUT.multipliedBy(3)));
        }
        if (config.presence().enableUserStatus()) {
            // A user turns away only once idle on every node; with NATS the statuses travel through NATS.
            hub.sharedActivity(new RedisSharedActivity(userState));
        }
    }

    /**
     * The analytics store the nodes share through their Redis, on the connection the node has for shared state (no
     * client of its own); empty on a single node.
     */
    public Optional<AnalyticsStore> analyticsStore(Clock clock, Duration keep) {
        return userState == null ? Optional.empty() : Optional.of(new RedisAnalyticsStore(userState, clock, keep));
    }

    /** A user's connections across the cluster, when {@code max_connections_per_user} is set and nodes share Redis. */
    public SharedUserSlots userSlots() {
        RedisConnectionSlots slots = userSlots;
        if (slots == null) {
            return SharedUserSlots.NONE;
        }
        return new SharedUserSlots() {
            @Override
            public java.util.concurrent.CompletableFuture<Boolean> tryAcquire(String userId, String connectionId) {
                return slots.tryAcquire(userId, connectionId);
            }

            @Override
            public void release(String userId, String connectionId) {
                slots.release(userId, connectionId);
            }
        };
    }

    private static String madeUpNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            host = "node";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The hub, built with this node's engine if it has one. */
    public Hub hub() {
        return hub;
    }

    public Optional<Broker> broker() {
        return Optional.ofNullable(broker);
    }

    /** Why the node should not get traffic now, if it should not: its broker is unreachable. */
    public Optional<String> problem() {
        return broker != null && !broker.isConnected() ? Optional.of(BROKER_UNREACHABLE) : Optional.empty();
    }

    @Override
    public void close() {
        if (userSlots != null) {
            userSlots.close();
        }
        if (userState != null) {
            userState.close();
        }
        if (presence != null) {
            presence.rooms(null);
        }
        if (rooms != null) {
            rooms.close(); // before the broker: the departures it announces travel through it
        }
        if (presence != null) {
            presence.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
