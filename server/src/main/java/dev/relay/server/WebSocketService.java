package dev.relay.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.core.Hub;
import dev.relay.core.HubSettings;
import dev.relay.core.cluster.Published;
import dev.relay.core.event.EventListener;
import dev.relay.core.event.EventStream;
import dev.relay.core.event.ListenerStats;
import dev.relay.core.event.StreamingObserver;
import dev.relay.core.identity.Identity;
import dev.relay.core.local.LocalClient;
import dev.relay.core.local.LocalClients;
import dev.relay.core.local.LocalSender;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.TokenCheck;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.server.access.ClientAddresses;
import dev.relay.server.access.GeoPolicy;
import dev.relay.server.access.IpPolicy;
import dev.relay.server.access.OriginPolicy;
import dev.relay.server.auth.JwksKeys;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.cluster.ClusterNode;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.JwtConfig;
import dev.relay.server.config.PolicyConfig;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.http.AdminApi;
import dev.relay.server.http.HistoryApi;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.OpsApi;
import dev.relay.server.http.RestApi;
import dev.relay.server.http.Router;
import dev.relay.server.http.Routers;
import dev.relay.server.observe.Observability;
import dev.relay.server.persistence.Persistence;
import dev.relay.server.websocket.ConnectLimits;
import dev.relay.server.websocket.NettyServer;
import dev.relay.server.websocket.SharedUserSlots;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Relay as a library: create it from a {@link RelayConfig}, {@link #start()} it, publish through it, {@link #close()}
 * it. The command line is a thin shell around this class.
 */
public final class WebSocketService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketService.class);

    private final RelayConfig config;
    private final Hub hub;
    private final NettyServer nettyServer;
    /** Resources of optional features (e.g. the JWKS refresher), closed with the service. */
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-housekeeping");
        thread.setDaemon(true);
        return thread;
    });
    private final Observability observability;
    private final Routers routers;
    /** The listeners registered at build time, each behind its own bounded queue; closed after the transport. */
    private final EventStream events;
    /** The in-process senders and clients, one shared executor for all the clients. */
    private final LocalClients local;
    /** Speaks as {@code system} for {@link #publishToRoom}, {@link #sendToUser} and {@link #broadcast}. */
    private final LocalSender system;

    private WebSocketService(RelayConfig config, List<EventListener> listeners) {
        this.config = config;
        String secret = config.security().jwtSecret().orElseThrow(() -> new IllegalArgumentException(
                "jwt_secret must be set before the service is created (RelayConfig.withJwtSecret)"));
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        JsonCodec codec = new JsonCodec(mapper, PooledByteBufAllocator.DEFAULT);
        this.observability = Observability.create(config, clock);
        Persistence persistence = Persistence.open(config, clock);
        this.events = new EventStream(listeners, EventStream.DEFAULT_CAPACITY);
        // Occupancy and online/offline reach it already decided for the cluster (see HubObserver).
        HubObserver observer = events.isEmpty() ? observability.hubObserver()
                : HubObserver.both(observability.hubObserver(),
                        new StreamingObserver(events, clock));
        observability.bindEvents(events);
        // Closed after the transport has stopped, so the last accepted messages are flushed.
        closeables.add(persistence);
        observability.health().addCheck(persistence::problem);
        JwtVerifier verifier = tokenVerifier(config.security().jwt(), secret, clock, closeables);
        Hub.Builder hubBuilder = Hub.builder(hubSettings(config), codec, clock, System::nanoTime)
                .history(persistence.history())
                .observer(observer)
                .permissions(new Permissions(Set.copyOf(config.policies().createRoomRoles()),
                        Set.copyOf(config.policies().broadcastRoles()),
                        Set.copyOf(config.policies().privateMessageRoles()),
                        Set.copyOf(config.policies().deleteRoomRoles())))
                .tokenCheck(token -> {
                    JwtVerifier.Verified checked = verifier.check(token);
                    return new TokenCheck.Checked(checked.identity(), checked.expiresAt());
                });
        if (config.messages().enableMessageFilter()) {
            hubBuilder.contentFilter(ContentFilter.of(config.policies().filterWords(),
                    config.policies().filterAction()));
        }
        persistence.install(hubBuilder);
        ClusterNode cluster = ClusterNode.join(config, hubBuilder, codec);
        this.hub = cluster.hub();
        this.local = new LocalClients(hub, codec::read);
        this.system = local.sender(Identity.SYSTEM);
        closeables.add(cluster);
        if (!hub.notRestored().isEmpty()) {
            LOG.warn("event=rooms_not_restored rooms={} reason=\"max_rooms reached or id no longer valid\"",
                    hub.notRestored());
        }
        observability.bind(hub.queries());
        persistence.forgetRoomsGone(hub.queries()::roomExists); // once the cluster's rooms exist here too
        observability.health().addCheck(cluster::problem);
        HttpResponses responses = new HttpResponses(mapper, observability.requestEvents());
        RestApi restApi = new RestApi(hub, codec, responses, config.server().maxMessageSize());
        OpsApi opsApi = new OpsApi(observability::scrape, observability.executor(),
                () -> observability.health().readiness().reasons(), responses);
        AdminApi adminApi = new AdminApi(hub, userId -> observability.activity().json(userId),
                observability::recentAlerts, mapper, responses);
        Optional<Integer> internalPort = config.observability().internalPort();
        HistoryApi historyApi = new HistoryApi(hub, persistence, mapper, responses);
        this.routers = Routers.of(restApi, historyApi, opsApi, adminApi, internalPort.isPresent(),
                config.observability().internalAdmin(), verifier, responses, observability.requestEvents());
        routers.main().limitPerUser(new KeyedRateLimits(config.policies().restRateLimitPerMinute(), System::nanoTime,
                "REST requests"));
        IpPolicy ipPolicy = new IpPolicy(config.security().enableIpWhitelist(), config.security().ipWhitelist(),
                config.security().ipBlacklist());
        OriginPolicy originPolicy = new OriginPolicy(config.security().enableOriginCheck(),
                config.security().allowedOrigins());
        this.nettyServer = new NettyServer(config.server(), config.delivery().maxPendingBytes(), hub, codec, verifier,
                ipPolicy, originPolicy, routers.main(), routers.internal(), internalPort, responses,
                observability.transportEvents(), connectLimits(config, closeables, cluster.userSlots()));
    }

    private static ConnectLimits connectLimits(RelayConfig config, List<AutoCloseable> closeables,
                                               SharedUserSlots sharedPerUser) {
        PolicyConfig p = config.policies();
        if (p.geoDatabase().isEmpty() && !(p.geoAllowedCountries().isEmpty() && p.geoDeniedCountries().isEmpty())) {
            // Refusing to start beats silently not restricting anything.
            throw new ConfigException("websocket.geo_database: geo_allowed_countries or geo_denied_countries is set,"
                    + " which needs a country database; set geo_database to a GeoLite2/GeoIP2 Country .mmdb file");
        }
        GeoPolicy geo = p.geoDatabase().map(database -> GeoPolicy.open(database,
                Set.copyOf(p.geoAllowedCountries()), Set.copyOf(p.geoDeniedCountries()))).orElse(GeoPolicy.off());
        closeables.add(geo);
        return new ConnectLimits(p.maxConnectionsPerUser(), p.maxConnectionsPerIp(), p.maxConnectsPerIpPerMinute(),
                new ClientAddresses(p.trustedProxies()), geo, sharedPerUser);
    }

    /**
     * HMAC with the secret unless a public key or a JWKS is configured; never both kinds at once. Public for
     * {@code checktoken}, which must judge a token exactly as the server would; what it opens (a JWKS refresher)
     * goes to {@code opened}, for the caller to close.
     */
    public static JwtVerifier tokenVerifier(JwtConfig jwt, String secret, Clock clock, List<AutoCloseable> opened) {
        JwtVerifier.Rules rules = new JwtVerifier.Rules(jwt.clockSkew(), jwt.issuer(), jwt.audience(),
                jwt.maxTtl());
        if (jwt.publicKey().isPresent()) {
            return JwtVerifier.publicKey(jwt.publicKey().get(), rules, clock);
        }
        if (jwt.jwksUrl().isPresent()) {
            JwksKeys keys = new JwksKeys(jwt.jwksUrl().get(), jwt.jwksRefresh());
            opened.add(keys);
            return JwtVerifier.jwks(keys, rules, clock);
        }
        return JwtVerifier.hmac(secret, rules, clock);
    }

    public static WebSocketService create(RelayConfig config) {
        return create(config, List.of());
    }

    /**
     * A service whose hub events ({@link dev.relay.core.event.RelayEvent}) go to {@code listeners}, each on a thread
     * of its own behind a bounded queue (docs/architecture.md, "Event stream").
     */
    public static WebSocketService create(RelayConfig config, List<EventListener> listeners) {
        return new WebSocketService(Objects.requireNonNull(config, "config"), List.copyOf(listeners));
    }

    /** Each event listener's counts: handled, dropped for a full queue, failed. */
    public List<ListenerStats> eventStats() {
        return events.stats();
    }

    private static HubSettings hubSettings(RelayConfig config) {
        return new HubSettings(
                config.messages().maxMessageLength(),
                config.security().enableRateLimit() ? config.security().rateLimitPerMinute() : 0,
                config.rooms().enableRoomLimit() ? config.rooms().maxRooms() : 0,
                config.rooms().defaultRooms(),
                config.presence().enableUserPresence(),
                config.messages().enableMessageBroadcast(),
                config.messages().enablePrivateMessaging(),
                HubSettings.DEFAULT_LANE_QUEUE_LIMIT,
                config.delivery().historySize(),
                config.delivery().historyTtl(),
                config.delivery().recoveryMaxMessages(),
                config.delivery().dedupWindow(),
                config.presence().enableUserStatus(),
                config.presence().userStatusTimeout(),
                config.presence().presenceMaxRoomUsers());
    }

    /** Binds the port and starts serving. */
    public WebSocketService start() throws InterruptedException {
        nettyServer.start();
        // Idle users turn away within a tenth of user_status_timeout of it passing; the sweep itself is cheap.
        long sweepMillis = Math.max(100, config.presence().userStatusTimeout().toMillis() / 10);
        housekeeping.scheduleAtFixedRate(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        observability.bindEventLoops(nettyServer.workers());
        observability.serving();
        return this;
    }

    private void sweep() {
        try {
            // In a cluster the answer comes later, on the engine's thread: this thread never waits for Redis.
            hub.admin().sweepIdleUsers().exceptionally(failure -> {
                LOG.error("event=housekeeping_error", failure);
                return 0;
            });
            hub.admin().sweepOfflineMessages(); // private messages held past offline_ttl, for users who never came back
        } catch (RuntimeException e) {
            LOG.error("event=housekeeping_error", e); // keep the schedule alive: one failure must not stop the sweeps
        }
    }

    /**
     * Relay's {@code /ws/...} (the WebSocket at {@code prefix + "/ws/connect"} and the REST API) for a host's own
     * Netty pipeline, the Java counterpart of the design's {@code RegisterWebSocketRoutes(router)}: add a new one
     * per channel right after the host's {@code HttpServerCodec}; requests outside the prefix pass on to the host's
     * handlers untouched. Same hub, gate and limits as Relay's own port, which keeps serving too. Use it once the
     * service is started (docs/embedding.md).
     *
     * @param prefix empty, or a path starting with {@code /} such as {@code /chat}
     */
    public ChannelHandler pipelineHandler(String prefix) {
        return nettyServer.embeddedHandler(prefix);
    }

    /** The internal port actually bound (metrics, health), when {@code internal_port} is set. */
    public Optional<InetSocketAddress> internalAddress() {
        return nettyServer.internalAddress();
    }

    /** Metrics, health, activity: what operators see. */
    public Observability observability() {
        return observability;
    }

    /** Every route each port serves, for the API description and its test. */
    public List<Router.Endpoint> endpoints() {
        List<Router.Endpoint> all = new ArrayList<>(routers.main().endpoints());
        routers.internal().ifPresent(internal -> all.addAll(internal.endpoints()));
        return List.copyOf(all);
    }

    /** The port actually bound (useful with {@code port: 0}). */
    public int port() {
        return nettyServer.localAddress().getPort();
    }

    public InetSocketAddress localAddress() {
        return nettyServer.localAddress();
    }

    /** The Netty I/O transport the sockets run on ({@code epoll}, {@code io_uring} or {@code nio}), once started. */
    public String ioTransport() {
        return nettyServer.ioTransport();
    }

    /** The domain behind the service: rooms, users, stats and the publishing API. */
    public Hub hub() {
        return hub;
    }

    public RelayConfig config() {
        return config;
    }

    /**
     * Sends a room message as the server ({@code from: "system"}). Completes when the message is accepted, or, with
     * {@code ack_after_persist}, once it is stored.
     */
    public CompletableFuture<Published> publishToRoom(String roomId, String content) {
        return system.publish(roomId, content);
    }

    /**
     * A client inside the server speaking as {@code identity} (a bot, the system): connected into {@code roomId} like
     * a socket, under the same permissions, rate limit, filter, dedup, history and persistence. What the hub
     * delivers to it goes to {@code handler} as JSON fields, on a thread of the client's own. Blocks until the hub
     * has registered it; close it when done. All in-process clients share one executor (one delivery lane), so
     * opening one per task is fine. It counts as a connection of its user, like a socket (see docs/operations.md).
     */
    public LocalClient inProcess(Identity identity, String roomId, Consumer<Map<String, Object>> handler) {
        return local.connect(identity, roomId, handler);
    }

    /**
     * Sends as {@code identity} without a session: the same policies, dedup, history and persistence as
     * {@link #inProcess}, but no connection (nobody sees the identity arrive; room messages follow its memberships).
     */
    public LocalSender sender(Identity identity) {
        return local.sender(identity);
    }

    /** Sends a private message from the server to every connection of a user. */
    public CompletableFuture<Published> sendToUser(String userId, String content) {
        return system.sendPrivate(userId, content);
    }

    /** Sends a message to every connection. */
    public CompletableFuture<Published> broadcast(String content) {
        return system.broadcast(content);
    }

    /**
     * Stops accepting, tells every client to reconnect and closes it with 1001, gives them up to shutdown_timeout
     * to receive that, then releases the event loops. Idempotent.
     */
    @Override
    public void close() {
        housekeeping.shutdownNow();
        observability.stopping(); // readiness fails first, so load balancers stop sending while clients drain
        nettyServer.stop(() -> hub.closeAll(CloseReason.SHUTTING_DOWN), () -> hub.queries().connections() == 0,
                config.delivery().shutdownTimeout());
        local.close(); // its clients were closed with the rest
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("event=close_failed resource={}", closeable, e);
            }
        }
        events.close(); // after the transport: the last disconnects' events are queued by now
        observability.close();
    }
}
