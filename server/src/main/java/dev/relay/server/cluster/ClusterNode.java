package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.cluster.Broker;
import dev.relay.engine.nats.NatsBroker;
import dev.relay.engine.redis.RedisBroker;
import dev.relay.engine.redis.RedisOptions;
import dev.relay.engine.redis.RedisPresence;
import dev.relay.engine.redis.RedisRoomPresence;
import dev.relay.server.config.ClusterConfig;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.RelayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** Joins the hub to the other nodes through the configured engine, or leaves it a single node. */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** Publishes waiting for the broker at most; more are refused as overloaded rather than queued. */
    static final int MAX_PENDING = 10_000;
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    public static final String BROKER_UNREACHABLE = "broker_unreachable";

    private final Broker broker;
    private final RedisPresence presence;
    private final RedisRoomPresence rooms;

    private ClusterNode(Broker broker, RedisPresence presence, RedisRoomPresence rooms) {
        this.broker = broker;
        this.presence = presence;
        this.rooms = rooms;
    }

    /** Connects to the engine (blocking, at start) and installs it in the hub; a memory engine installs nothing. */
    public static ClusterNode join(RelayConfig config, Hub hub, ObjectMapper mapper) {
        ClusterConfig cluster = config.cluster();
        if (!cluster.clustered()) {
            // The seed's switches declare several nodes; nodes without a shared engine cannot see each other.
            if (cluster.enableLoadBalancing() || cluster.enableMessageQueue()) {
                String key = cluster.enableLoadBalancing() ? "enable_load_balancing" : "enable_message_queue";
                throw new ConfigException("websocket." + key + ": true needs nodes that share an engine; set engine"
                        + " to redis or nats, or set " + key + " to false");
            }
            return new ClusterNode(null, null, null);
        }
        String nodeId = cluster.nodeId().orElseGet(ClusterNode::madeUpNodeId);
        BrokerCodec codec = new BrokerCodec(mapper);
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
        try {
            hub.broker(redis, COMMAND_TIMEOUT);
            hub.roomPresence(rooms);
            hub.presenceStore(presence);
        } catch (RuntimeException e) {
            rooms.close();
            redis.close();
            presence.close();
            throw new ConfigException("websocket.engine: cannot start the " + cluster.engine() + " engine (redis_url "
                    + cluster.redisUrl() + (cluster.engine().equals(ClusterConfig.NATS) ? ", nats_url "
                    + cluster.natsUrl() : "") + "): " + e.getMessage());
        }
        LOG.info("event=cluster_joined engine={} node_id={}", cluster.engine(), nodeId);
        return new ClusterNode(redis, presence, rooms);
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

    public Optional<Broker> broker() {
        return Optional.ofNullable(broker);
    }

    /** Why the node should not get traffic now, if it should not: its broker is unreachable. */
    public Optional<String> problem() {
        return broker != null && !broker.isConnected() ? Optional.of(BROKER_UNREACHABLE) : Optional.empty();
    }

    @Override
    public void close() {
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
