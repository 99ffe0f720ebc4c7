package dev.relay.bench.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Runs one scenario against a server and returns its figures. Every phase has a deadline; nothing runs unbounded. */
public final class LoadRun {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofMillis(500);

    private final LoadSettings settings;
    private final PrintStream progress;
    private final Metrics metrics = new Metrics();
    private final Tokens tokens;
    private final ServerProcess server;

    public LoadRun(LoadSettings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
        this.tokens = new Tokens(settings.target().needsToken() ? settings.secret() : null);
        this.server = settings.serverPids().isEmpty() ? null : new ServerProcess(settings.serverPids());
    }

    public Result run() throws Exception {
        Result result = new Result()
                .put("scenario", settings.scenario().command())
                .put("target", settings.target().name().toLowerCase(Locale.ROOT))
                .put("label", settings.label() == null ? settings.target().name().toLowerCase(Locale.ROOT) : settings.label())
                .put("url", settings.url().toString())
                .put("nodes", settings.nodes().size())
                .put("clients", settings.clients());
        try (Clients clients = new Clients(settings.threads(), settings.transport())) {
            result.put("client_transport", clients.transport()).put("client_threads", settings.threads());
            switch (settings.scenario()) {
                case FANOUT, ROOMS, PRIVATE, CLUSTER -> messaging(clients, result);
                case CONNECT -> connect(clients, result);
                case IDLE -> idle(clients, result);
            }
        }
        return result;
    }

    // ---- fanout, rooms, private ----

    private void messaging(Clients clients, Result result) throws Exception {
        List<Group> groups = new ArrayList<>();
        List<ClientConnection> connections = buildMessaging(groups);
        List<ClientConnection> publishers = connections.stream().filter(ClientConnection::isPublisher).toList();
        double ratePerPublisher = settings.rate() / publishers.size();
        result.put("rooms", settings.scenario() == Scenario.FANOUT || settings.scenario() == Scenario.CLUSTER ? 1
                : groups.size())
                .put("publishers", publishers.size())
                .put("rate_msgs_per_s", settings.rate())
                .put("window", settings.rate() > 0 ? 0 : settings.window())
                .put("size_bytes", settings.size())
                .put("duration_s", settings.duration().toMillis() / 1000.0)
                .put("warmup_s", settings.warmup().toMillis() / 1000.0);

        openAll(clients, connections, true);
        Thread.sleep(SETTLE.toMillis()); // let join announcements pass before the clock starts
        publishers.forEach(p -> p.startPublishing(ratePerPublisher, settings.window()));

        tick("warmup", settings.warmup(), null);
        metrics.takeLatency(); // forget the warmup
        metrics.takeSentLatency();
        metrics.sendLag.getIntervalHistogram();
        long deliveries0 = metrics.deliveries.sum();
        long frames0 = metrics.frames.sum();
        long published0 = metrics.published.sum();
        long serverCpu0 = server == null ? -1 : server.cpuNanos();
        long ownCpu0 = ownCpuNanos();
        long machine0 = ServerProcess.machineBusyNanos();
        long t0 = System.nanoTime();
        Histogram latency = new Histogram(3);
        tick("run", settings.duration(), latency);
        long t1 = System.nanoTime();
        long deliveries = metrics.deliveries.sum() - deliveries0;
        long frames = metrics.frames.sum() - frames0;
        long published = metrics.published.sum() - published0;
        long serverCpu = server == null ? -1 : server.cpuNanos() - serverCpu0;
        long ownCpu = ownCpuNanos() - ownCpu0;
        long machine = ServerProcess.machineBusyNanos() - machine0;

        publishers.forEach(ClientConnection::stopPublishing);
        Thread.sleep(20); // let the stop tasks run before the counts are read
        boolean caughtUp = drain(groups, connections);
        latency.add(metrics.takeLatency());
        Histogram sentLatency = metrics.takeSentLatency();
        Histogram lag = metrics.sendLag.getIntervalHistogram();
        long lost = 0;
        long duplicated = 0;
        for (Group group : groups) {
            long[] sent = group.sentSnapshot();
            for (ClientConnection member : group.members) {
                long[] counts = member.onLoop(() -> new long[]{member.tracker().lost(sent), member.tracker().duplicated()});
                lost += counts[0];
                duplicated += counts[1];
            }
        }
        Clients.closeAll(connections);

        double seconds = (t1 - t0) / 1e9;
        result.put("published_msgs_per_s", published / seconds)
                .put("deliveries_per_s", deliveries / seconds)
                .put("frames_per_s", frames / seconds)
                .put("deliveries", deliveries)
                .put("latency_p50_ms", millis(latency.getValueAtPercentile(50)))
                .put("latency_p99_ms", millis(latency.getValueAtPercentile(99)))
                .put("latency_p999_ms", millis(latency.getValueAtPercentile(99.9)))
                .put("latency_max_ms", millis(latency.getMaxValue()))
                .put("lost", lost)
                .put("duplicated", duplicated)
                .put("errors", metrics.errors.sum())
                .put("dropped_connections", metrics.dropped.sum())
                .put("caught_up", caughtUp);
        if (settings.rate() > 0) {
            // What the server and the network add, without the generator's own lateness in sending.
            result.put("latency_from_send_p50_ms", millis(sentLatency.getValueAtPercentile(50)))
                    .put("latency_from_send_p99_ms", millis(sentLatency.getValueAtPercentile(99)))
                    .put("send_lag_p99_ms", millis(lag.getValueAtPercentile(99)));
        }
        result.put("generator_cpu_pct", 100.0 * ownCpu / (t1 - t0))
                .put("generator_cpu_us_per_delivery", deliveries == 0 ? 0.0 : ownCpu / 1e3 / deliveries);
        if (server != null) {
            result.put("server_cpu_pct", 100.0 * serverCpu / (t1 - t0))
                    .put("server_rss_mib", server.rssBytes() / (1024.0 * 1024.0))
                    .put("other_cpu_pct", 100.0 * (machine - serverCpu - ownCpu) / (t1 - t0))
                    .put("server_cpu_us_per_delivery", deliveries == 0 ? 0.0 : serverCpu / 1e3 / deliveries);
        }
        result.put("machine_cpus", Runtime.getRuntime().availableProcessors());
    }

    private List<ClientConnection> buildMessaging(List<Group> groups) throws Exception {
        List<ClientConnection> connections = new ArrayList<>();
        Target target = settings.target();
        int n = settings.clients();
        switch (settings.scenario()) {
            case FANOUT, CLUSTER -> {
                int publishers = Math.max(1, settings.publishers());
                Group group = new Group(settings.room(), publishers);
                groups.add(group);
                for (int i = 0; i < n; i++) {
                    add(connections, group, "sub-" + i, settings.room(), -1, null);
                }
                for (int p = 0; p < publishers; p++) {
                    add(connections, group, "pub-" + p, settings.room(), p, target.roomTemplate(settings.room()));
                }
            }
            case ROOMS -> {
                new RoomAdmin(settings, tokens).ensureRooms(roomIds());
                List<String> rooms = roomIds();
                for (int r = 0; r < rooms.size(); r++) {
                    int members = n / rooms.size() + (r < n % rooms.size() ? 1 : 0);
                    int publishers = settings.publishers() == 0 ? members : Math.min(members, settings.publishers());
                    Group group = new Group(rooms.get(r), publishers);
                    groups.add(group);
                    for (int m = 0; m < members; m++) {
                        String room = rooms.get(r);
                        add(connections, group, "user-" + r + "-" + m, room, m < publishers ? m : -1,
                                m < publishers ? target.roomTemplate(room) : null);
                    }
                }
            }
            case PRIVATE -> {
                for (int pair = 0; pair < n / 2; pair++) {
                    Group group = new Group(null, 2);
                    groups.add(group);
                    String a = "pm-" + (2 * pair);
                    String b = "pm-" + (2 * pair + 1);
                    add(connections, group, a, settings.room(), 0, target.privateTemplate(b));
                    add(connections, group, b, settings.room(), 1, target.privateTemplate(a));
                }
            }
            default -> throw new IllegalStateException();
        }
        return connections;
    }

    private List<String> roomIds() {
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < settings.rooms(); r++) {
            rooms.add("bench-" + r);
        }
        return rooms;
    }

    private void add(List<ClientConnection> connections, Group group, String user, String room, int publisher,
                     Target.Template template) {
        URI node = settings.nodeFor(connections.size());
        ClientConnection connection = new ClientConnection(connections.size(), settings.target(), node.getHost(),
                LoadSettings.port(node), settings.target().requestTarget(node, room, tokens.forUser(user)), metrics,
                group, publisher, template, settings.size(), settings.deflate()).to(new InetSocketAddress(node.getHost(),
                LoadSettings.port(node)));
        connections.add(connection);
        group.members.add(connection);
    }

    /** Prints a progress line a second for {@code length}; adds each second's latencies to {@code total} if given. */
    private void tick(String phase, Duration length, Histogram total) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        long last = System.nanoTime();
        long lastDeliveries = metrics.deliveries.sum();
        int second = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            long now = System.nanoTime();
            long deliveries = metrics.deliveries.sum();
            Histogram interval = metrics.takeLatency();
            if (total != null) {
                total.add(interval);
            }
            second++;
            if (!settings.quiet()) {
                progress.printf(Locale.ROOT, "%-6s %3ds  %,12.0f deliveries/s  p50 %7.3f ms  p99 %8.3f ms  errors %d  dropped %d%n",
                        phase, second, (deliveries - lastDeliveries) / ((now - last) / 1e9),
                        millis(interval.getValueAtPercentile(50)), millis(interval.getValueAtPercentile(99)),
                        metrics.errors.sum(), metrics.dropped.sum());
            }
            last = now;
            lastDeliveries = deliveries;
        }
    }

    /** Waits, up to the drain time, until every receiver has everything its publishers sent. */
    private boolean drain(List<Group> groups, List<ClientConnection> connections) throws InterruptedException {
        long end = System.nanoTime() + settings.drain().toNanos();
        while (System.nanoTime() < end) {
            boolean all = true;
            for (Group group : groups) {
                long[] sent = group.sentSnapshot();
                for (ClientConnection member : group.members) {
                    if (member.isOpen() && !member.tracker().caughtUp(sent)) {
                        all = false;
                        break;
                    }
                }
                if (!all) {
                    break;
                }
            }
            if (all) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    // ---- connect ----

    private void connect(Clients clients, Result result) throws Exception {
        if (!settings.warmup().isZero()) {
            // A fresh JVM (the generator, or a Java server) compiles its handshake path during the first thousands
            // of connections; a pass that is not measured keeps that out of the figures, for every target alike.
            List<ClientConnection> warmup = bareConnections().subList(0, Math.min(settings.clients(), 2000));
            openAll(clients, warmup, false);
            Clients.closeAll(warmup);
            Thread.sleep(settings.warmup().toMillis());
            metrics.handshakes.getIntervalHistogram();
        }
        List<ClientConnection> connections = bareConnections();
        result.put("users", distinctUsers()).put("concurrency", settings.concurrency())
                .put("warmup_connections", settings.warmup().isZero() ? 0 : Math.min(settings.clients(), 2000));
        long serverCpu0 = server == null ? -1 : server.cpuNanos();
        long ownCpu0 = ownCpuNanos();
        long t0 = System.nanoTime();
        List<String> failures = openAll(clients, connections, false);
        long t1 = System.nanoTime();
        long serverCpu = server == null ? -1 : server.cpuNanos() - serverCpu0;
        long ownCpu = ownCpuNanos() - ownCpu0;
        Histogram handshakes = metrics.handshakes.getIntervalHistogram();
        int ok = connections.size() - failures.size();
        Clients.closeAll(connections);
        double seconds = (t1 - t0) / 1e9;
        result.put("connected", ok)
                .put("failed", failures.size())
                .put("elapsed_s", seconds)
                .put("handshakes_per_s", ok / seconds)
                .put("handshake_p50_ms", millis(handshakes.getValueAtPercentile(50)))
                .put("handshake_p99_ms", millis(handshakes.getValueAtPercentile(99)))
                .put("handshake_max_ms", millis(handshakes.getMaxValue()))
                .put("generator_cpu_us_per_handshake", ok == 0 ? 0.0 : ownCpu / 1e3 / ok);
        if (server != null) {
            result.put("server_cpu_us_per_handshake", ok == 0 ? 0.0 : serverCpu / 1e3 / ok);
        }
        if (!failures.isEmpty()) {
            result.put("first_failure", failures.getFirst());
        }
    }

    // ---- idle ----

    private void idle(Clients clients, Result result) throws Exception {
        if (server == null) {
            throw new IllegalArgumentException("idle measures the server's memory: give --server-pid");
        }
        List<ClientConnection> connections = bareConnections();
        result.put("users", distinctUsers()).put("source_addresses", settings.sourceAddresses());
        // RSS as the server runs; for a JVM also after a full GC (which can give memory back) and its live heap.
        long rss0 = server.rssBytes();
        var heap0 = server.liveHeapBytes();
        long rss0AfterGc = server.rssBytes();
        // Half first, then the rest: the RSS between the two is the marginal cost of a connection, free of what the
        // server's memory grows by once (a JVM's young generation being touched, allocator arenas).
        int half = connections.size() / 2;
        List<String> failures = new ArrayList<>(openAll(clients, connections.subList(0, half), false));
        Thread.sleep(1000);
        long rssHalf = server.rssBytes();
        int okHalf = half - failures.size();
        failures.addAll(openAll(clients, connections.subList(half, connections.size()), false));
        int ok = connections.size() - failures.size();
        tick("hold", settings.duration(), null);
        long rss1 = server.rssBytes();
        var heap1 = server.liveHeapBytes();
        long rss1AfterGc = server.rssBytes();
        long dropped = metrics.dropped.sum();
        Clients.closeAll(connections);
        result.put("connected", ok)
                .put("failed", failures.size())
                .put("dropped_connections", dropped)
                .put("server_rss_empty_mib", rss0 / MIB)
                .put("server_rss_held_mib", rss1 / MIB)
                .put("rss_per_connection_kib", perConnectionKib(rss1 - rss0, ok))
                .put("rss_marginal_per_connection_kib", perConnectionKib(rss1 - rssHalf, ok - okHalf));
        if (heap0.isPresent() && heap1.isPresent()) {
            result.put("rss_after_gc_empty_mib", rss0AfterGc / MIB)
                    .put("rss_after_gc_held_mib", rss1AfterGc / MIB)
                    .put("rss_after_gc_per_connection_kib", perConnectionKib(rss1AfterGc - rss0AfterGc, ok))
                    .put("live_heap_empty_mib", heap0.getAsLong() / MIB)
                    .put("live_heap_held_mib", heap1.getAsLong() / MIB)
                    .put("heap_per_connection_kib", perConnectionKib(heap1.getAsLong() - heap0.getAsLong(), ok));
        }
        if (!failures.isEmpty()) {
            result.put("first_failure", failures.getFirst());
        }
    }

    private static final double MIB = 1024.0 * 1024.0;

    private static double perConnectionKib(long bytes, int connections) {
        return connections == 0 ? 0.0 : bytes / 1024.0 / connections;
    }

    private int distinctUsers() {
        return settings.users() == 0 ? settings.clients() : Math.min(settings.users(), settings.clients());
    }

    private List<ClientConnection> bareConnections() {
        List<ClientConnection> connections = new ArrayList<>();
        int users = distinctUsers();
        for (int i = 0; i < settings.clients(); i++) {
            String token = tokens.forUser("user-" + (i % users));
            connections.add(new ClientConnection(i, settings.target(), settings.host(), settings.port(),
                    settings.target().requestTarget(settings.url(), settings.room(), token), metrics, null, -1, null,
                    settings.size(), settings.deflate()));
        }
        return connections;
    }

    private List<String> openAll(Clients clients, List<ClientConnection> connections, boolean allOrNothing)
            throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        List<String> failures = clients.open(connections, address, settings.sourceAddresses(), settings.concurrency(),
                CONNECT_TIMEOUT, done -> {
                    if (!settings.quiet()) {
                        progress.printf(Locale.ROOT, "connect %,d/%,d%n", done, connections.size());
                    }
                });
        if (!failures.isEmpty() && allOrNothing) {
            Clients.closeAll(connections);
            throw new IllegalStateException(failures.size() + " of " + connections.size()
                    + " connections failed; the first: " + failures.getFirst());
        }
        return failures;
    }

    private static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
