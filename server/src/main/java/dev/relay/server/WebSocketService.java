package dev.relay.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.core.Hub;
import dev.relay.core.HubSettings;
import dev.relay.core.analytics.AnalyticsRecorder;
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
import dev.relay.server.analytics.Analytics;
import dev.relay.server.assistant.Assistant;
import dev.relay.server.auth.JwksKeys;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.cluster.ClusterNode;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.JwtConfig;
import dev.relay.server.config.LoadedConfig;
import dev.relay.server.config.PolicyConfig;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.config.ServerConfig;
import dev.relay.server.http.AdminApi;
import dev.relay.server.http.AnalyticsApi;
import dev.relay.server.http.HistoryApi;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.OpsApi;
import dev.relay.server.http.ReloadApi;
import dev.relay.server.http.RestApi;
import dev.relay.server.http.Router;
import dev.relay.server.http.Routers;
import dev.relay.server.http.WebhookTestApi;
import dev.relay.server.proxy.Proxies;
import dev.relay.server.webhook.Webhooks;
import dev.relay.server.observe.Observability;
import dev.relay.server.persistence.Persistence;
import dev.relay.server.socketio.SocketIoEndpoint;
import dev.relay.server.stomp.StompEndpoint;
import dev.relay.server.websocket.ConnectLimits;
import dev.relay.server.reload.ConfigReload;
import dev.relay.server.reload.LivePolicies;
import dev.relay.server.websocket.NettyServer;
import dev.relay.server.websocket.ProtocolEndpoint;
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
import java.util.function.Supplier;

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
    /** Rollups of the traffic for /ws/analytics and the live feed; before the store in closing. */
    private final Analytics analytics;
    /** The in-process senders and clients, one shared executor for all the clients. */
    private final LocalClients local;
    /** Speaks as {@code system} for {@link #publishToRoom}, {@link #sendToUser} and {@link #broadcast}. */
    private final LocalSender system;
    /** What SIGHUP and POST /ws/admin/reload change without a restart. */
    private final ConfigReload reload;
    /** The configured webhooks, listeners of the event stream; closed after it, so its last events are spooled. */
    private final Webhooks webhooks;
    /** The AI assistant when {@code assistant_enabled}; empty otherwise. */
    private final Optional<Assistant> assistant;

    private WebSocketService(RelayConfig config, List<EventListener> listeners) {
        this.config = config;
        String secret = config.security().jwtSecret().orElseThrow(() -> new IllegalArgumentException(
                "jwt_secret must be set before the service is created (RelayConfig.withJwtSecret)"));
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        JsonCodec codec = new JsonCodec(mapper, PooledByteBufAllocator.DEFAULT);
        this.observability = Observability.create(config, clock);
        Persistence persistence = Persistence.open(config, clock);
        this.webhooks = Webhooks.start(config, observability.registry(), clock);
        // The assistant hears questions as an event listener, so in a cluster only the accepting node answers.
        config.assistant().requireUsable();
        this.assistant = config.assistant().enabled()
                ? Optional.of(new Assistant(config.assistant(), config.messages().maxMessageLength(), mapper))
                : Optional.empty();
        List<EventListener> allListeners = new ArrayList<>(listeners);
        allListeners.addAll(webhooks.listeners());
        assistant.ifPresent(allListeners::add);
        this.analytics = Analytics.create(config.analytics(), persistence, clock);
        allListeners.addAll(analytics.listeners());
        this.events = new EventStream(allListeners, EventStream.DEFAULT_CAPACITY);
        // Occupancy and online/offline reach it already decided for the cluster (see HubObserver).
        HubObserver observer = events.isEmpty() ? observability.hubObserver()
                : HubObserver.both(observability.hubObserver(),
                        new StreamingObserver(events, clock));
        if (analytics.enabled()) {
            observer = HubObserver.both(observer, analytics.observer()); // counters only, on the event loops
        }
        observability.bindEvents(events);
        // Closed after the transport has stopped, so the last accepted messages are flushed.
        closeables.add(persistence);
        observability.health().addCheck(persistence::problem);
        List<AutoCloseable> jwtOpened = new ArrayList<>();
        JwtVerifier verifier = tokenVerifier(config.security().jwt(), secret, clock, jwtOpened);
        Hub.Builder hubBuilder = Hub.builder(hubSettings(config), codec, clock, System::nanoTime)
                .history(persistence.history())
                .observer(observer)
                .permissions(new Permissions(Set.copyOf(config.policies().createRoomRoles()),
                        Set.copyOf(config.policies().broadcastRoles()),
                        Set.copyOf(config.policies().privateMessageRoles()),
                        Set.copyOf(config.policies().deleteRoomRoles()),
                        Set.copyOf(config.policies().moderatorRoles())))
                .tokenCheck(token -> {
                    JwtVerifier.Verified checked = verifier.check(token);
                    return new TokenCheck.Checked(checked.identity(), checked.expiresAt());
                });
        hubBuilder.contentFilter(LivePolicies.contentFilter(config));
        hubBuilder.editWindow(config.messages().editWindow());
        assistant.ifPresent(hubBuilder::cancels);
        persistence.install(hubBuilder);
        ClusterNode cluster = ClusterNode.join(config, hubBuilder, codec);
        this.hub = cluster.hub();
        this.local = new LocalClients(hub, codec::read);
        this.system = local.sender(Identity.SYSTEM);
        // Closed first, before the store and the cluster it writes its last updates through.
        assistant.ifPresent(started -> {
            started.start(hub, local, persistence.store());
            closeables.add(0, started);
            observability.bindAssistant(started.stats());
        });
        closeables.add(cluster);
        if (!hub.notRestored().isEmpty()) {
            LOG.warn("event=rooms_not_restored rooms={} reason=\"max_rooms reached or id no longer valid\"",
                    hub.notRestored());
        }
        observability.bind(hub.queries());
        analytics.shareThrough(keep -> cluster.analyticsStore(clock, keep)); // Redis, when no database is shared
        analytics.bind(hub, codec, () -> events.stats().stream()
                .filter(stats -> stats.listener().equals(AnalyticsRecorder.NAME))
                .mapToInt(stats -> (int) stats.queued()).sum());
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
        this.reload = new ConfigReload();
        AnalyticsApi analyticsApi = new AnalyticsApi(hub, analytics, responses);
        this.routers = Routers.of(restApi, historyApi, opsApi, adminApi, analyticsApi,
                new ReloadApi(reload, observability.executor(), responses),
                new WebhookTestApi(webhooks::test, responses), internalPort.isPresent(),
                config.observability().internalAdmin(), verifier, responses, observability.requestEvents());
        KeyedRateLimits restLimits = new KeyedRateLimits(config.policies().restRateLimitPerMinute(), System::nanoTime,
                "REST requests");
        routers.main().limitPerUser(restLimits);
        Proxies proxies = Proxies.create(config.integrations(), hub, mapper, observability.registry(), clock);
        closeables.add(proxies);
        IpPolicy ipPolicy = LivePolicies.ipPolicy(config);
        OriginPolicy originPolicy = LivePolicies.originPolicy(config);
        ConnectLimits limits = connectLimits(config, closeables, cluster.userSlots());
        this.nettyServer = new NettyServer(config.server(), config.delivery().maxPendingBytes(), hub, codec, verifier,
                ipPolicy, originPolicy, routers.main(), routers.internal(), internalPort, responses,
                observability.transportEvents(), limits, proxies, analytics.feed(),
                endpoints(config, hub, codec, verifier));
        closeables.add(LivePolicies.register(reload, new LivePolicies.Targets(hub.admin().live(), restLimits, ipPolicy,
                originPolicy, limits.geo(), verifier, (next, opened) -> tokenVerifier(next.security().jwt(),
                next.security().jwtSecret().orElse(secret), clock, opened), observability::replaceAlertThresholds),
                jwtOpened));
    }

    /** The other protocols' WebSocket endpoints the configuration turns on, behind the same gate. */
    private static List<ProtocolEndpoint> endpoints(RelayConfig config, Hub hub, JsonCodec codec,
                                                    JwtVerifier verifier) {
        List<ProtocolEndpoint> endpoints = new ArrayList<>();
        ServerConfig server = config.server();
        if (server.enableStomp()) {
            endpoints.add(new StompEndpoint(new StompEndpoint.Settings(server.maxMessageSize(),
                    server.enableCompression(), server.pingPeriod(),
                    server.pongWait(), (long) NettyServer.HARD_LIMIT_FACTOR * config.delivery().maxPendingBytes(),
                    NettyServer.DEFAULT_ROOM), hub, codec, verifier));
        }
        if (server.enableSocketio()) {
            endpoints.add(new SocketIoEndpoint(new SocketIoEndpoint.Settings(server.maxMessageSize(),
                    server.enableCompression(), server.pingPeriod(), server.pongWait(),
                    (long) NettyServer.HARD_LIMIT_FACTOR * config.delivery().maxPendingBytes(),
                    NettyServer.DEFAULT_ROOM), hub, codec, verifier));
        }
        return endpoints;
    }

    private static ConnectLimits connectLimits(RelayConfig config, List<AutoCloseable> closeables,
                                               SharedUserSlots sharedPerUser) {
        PolicyConfig p = config.policies();
        GeoPolicy geo = LivePolicies.geoPolicy(config);
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
        return JwtVerifier.hmac(secret, jwt.previousSecrets(), rules, clock);
    }

    /**
     * Lets {@link #reloadConfiguration()}, SIGHUP and {@code POST /ws/admin/reload} read the configuration again:
     * {@code source} loads it as startup did (file, environment, command line); {@code started} is what this server
     * was created from.
     */
    public void reloadFrom(LoadedConfig started, Supplier<LoadedConfig> source) {
        reload.readFrom(started, source);
    }

    /**
     * Reads the configuration again and applies what can change live (filter words, IP lists and geo rules, origins,
     * rate limits, JWT keys and rules, alert thresholds, log level); the outcome lists those, and the changed keys
     * that need a restart.
     *
     * @throws ConfigException when the configuration does not load: nothing is changed
     */
    public ConfigReload.Outcome reloadConfiguration() {
        return reload.reload();
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

    /** The AI assistant, when {@code assistant_enabled}. */
    public Optional<Assistant> assistant() {
        return assistant;
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
        analytics.start();
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
        analytics.close(); // its last rollups, before the store they go to closes
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("event=close_failed resource={}", closeable, e);
            }
        }
        events.close(); // after the transport: the last disconnects' events are queued by now
        webhooks.close(); // after the stream: what it handed them is sent or spooled
        observability.close();
    }
}
