package dev.relay.engine.redis.testing;

import dev.relay.core.testing.ExternalService;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real {@code redis-server} processes for the topology tests: a Redis Cluster of masters, or a master with a replica
 * behind three Sentinels, each in a temporary directory, on ports of its own, stopped (and the directory removed) on
 * {@link Topology#close()} or when the JVM exits. Where the binaries are missing the test is skipped with the
 * reason, or fails with {@code WS_TEST_REQUIRE_SERVICES=true}, as {@link ExternalService} does.
 *
 * <p>Ports come from {@code WS_TEST_REDIS_PORTS} (default {@code 17000-17099}), so the processes stay clear of the
 * shared Redis and of each other's tests.
 */
public final class RedisProcesses {
    public static final String HOST = "127.0.0.1";
    private static final Duration START = Duration.ofSeconds(20);
    private static final String SERVER = System.getenv().getOrDefault("WS_TEST_REDIS_SERVER", "/usr/bin/redis-server");
    private static final String CLI = System.getenv().getOrDefault("WS_TEST_REDIS_CLI", "/usr/bin/redis-cli");
    private static final int[] PORTS = portRange(System.getenv().getOrDefault("WS_TEST_REDIS_PORTS", "17000-17099"));
    private static final AtomicInteger NEXT_PORT = new AtomicInteger();
    private static final Map<Process, Boolean> RUNNING = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.keySet().forEach(Process::destroyForcibly)));
    }

    private RedisProcesses() {
    }

    /** Skips (or, when required, fails) the calling test unless redis-server and redis-cli can be run. */
    public static void assumeAvailable() {
        if (Files.isExecutable(Path.of(SERVER)) && Files.isExecutable(Path.of(CLI))) {
            return;
        }
        String reason = "no " + SERVER + " or " + CLI + " to start Redis Cluster/Sentinel processes (Debian package"
                + " redis-server; WS_TEST_REDIS_SERVER/WS_TEST_REDIS_CLI move them)";
        if (ExternalService.required()) {
            Assertions.fail(reason + ", and WS_TEST_REQUIRE_SERVICES=true requires it");
        }
        Assumptions.abort(reason + "; skipped (WS_TEST_REQUIRE_SERVICES=true makes this a failure)");
    }

    /** A Redis Cluster of {@code masters} masters (no replicas) covering every slot, ready when this returns. */
    public static Cluster cluster(int masters) {
        return cluster(masters, 0);
    }

    /**
     * A Redis Cluster of {@code masters} masters, each with {@code replicasPerMaster} replicas, covering every slot;
     * a master that stops answering for two seconds is failed over. Ready when every node says the cluster is ok and
     * every replica is in sync.
     */
    public static Cluster cluster(int masters, int replicasPerMaster) {
        assumeAvailable();
        Cluster cluster = new Cluster();
        try {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                int port = freePort();
                int bus = freePort();
                cluster.start("node-" + port, port, "--cluster-enabled", "yes", "--cluster-port",
                        Integer.toString(bus), "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no");
            }
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            cluster.ports().forEach(p -> create.add(HOST + ":" + p));
            create.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
            cluster.cli(cluster.ports().getFirst(), create.toArray(String[]::new));
            for (int port : cluster.ports()) {
                cluster.await("cluster state ok on " + port,
                        () -> cluster.cli(port, "cluster", "info").contains("cluster_state:ok"));
                if (replicasPerMaster > 0) {
                    cluster.await("replication settled on " + port, () -> {
                        String info = cluster.cli(port, "info", "replication");
                        return info.contains("role:master") ? info.split("state=online", -1).length - 1
                                == replicasPerMaster : info.contains("master_link_status:up");
                    });
                }
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * A master, {@code replicas} replicas and three Sentinels (quorum 2) watching it as {@code relay}; Sentinels
     * declare the master down after one second without an answer. Ready when every Sentinel knows the replicas and
     * the other two, and the replicas are in sync.
     */
    public static Sentinels sentinels(int replicas) {
        assumeAvailable();
        Sentinels group = new Sentinels();
        try {
            int master = freePort();
            group.start("master", master);
            for (int i = 0; i < replicas; i++) {
                group.start("replica-" + i, freePort(), "--replicaof", HOST, Integer.toString(master));
            }
            for (int i = 0; i < 3; i++) {
                int port = freePort();
                Path config = group.dir.resolve("sentinel-" + port + ".conf");
                write(config, String.join("\n",
                        "port " + port,
                        "bind " + HOST,
                        "dir " + group.dir,
                        "sentinel monitor " + Sentinels.MASTER + " " + HOST + " " + master + " 2",
                        "sentinel down-after-milliseconds " + Sentinels.MASTER + " 1000",
                        "sentinel failover-timeout " + Sentinels.MASTER + " 5000",
                        "sentinel parallel-syncs " + Sentinels.MASTER + " 1", ""));
                group.startSentinel(port, config);
            }
            for (int sentinel : group.sentinelPorts) {
                group.await("sentinel " + sentinel + " sees the replica and the other sentinels", () -> {
                    String info = group.cli(sentinel, "sentinel", "master", Sentinels.MASTER);
                    return field(info, "num-slaves").equals(Integer.toString(replicas))
                            && field(info, "num-other-sentinels").equals("2");
                });
            }
            group.await("the replicas are in sync", () -> group.cli(master, "info", "replication")
                    .split("state=online", -1).length - 1 == replicas);
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Processes started together and stopped together. */
    public abstract static class Topology implements AutoCloseable {
        final Path dir;
        private final Map<Integer, Process> servers = new ConcurrentHashMap<>();
        private final List<Integer> ports = new ArrayList<>();

        Topology() {
            try {
                dir = Files.createTempDirectory("relay-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The data ports in start order (not the Sentinels'). */
        public List<Integer> ports() {
            return List.copyOf(ports);
        }

        void start(String name, int port, String... args) {
            List<String> command = new ArrayList<>(List.of(SERVER, "--port", Integer.toString(port), "--bind", HOST,
                    "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "no",
                    "--logfile", dir.resolve(name + ".log").toString()));
            command.addAll(List.of(args));
            launch(port, command);
            ports.add(port);
        }

        void launch(int port, List<String> command) {
            try {
                Process process = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout-" + port + ".log").toFile())
                        .start();
                RUNNING.put(process, true);
                servers.put(port, process);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            await("redis on " + port + " answers", () -> cli(port, "ping").contains("PONG"));
        }

        /** Kills the process on {@code port} at once (SIGKILL), as a crashed machine would stop. */
        public void kill(int port) {
            Process process = servers.remove(port);
            if (process != null) {
                process.destroyForcibly();
                RUNNING.remove(process);
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Runs redis-cli against {@code port}; its output, or a failure naming the command and what it printed. */
        public String cli(int port, String... args) {
            List<String> command = new ArrayList<>(List.of(CLI, "-h", HOST, "-p", Integer.toString(port)));
            command.addAll(List.of(args));
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                process.getOutputStream().close();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void await(String what, BooleanSupplier condition) {
            long deadline = System.nanoTime() + START.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (condition.getAsBoolean()) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            throw new IllegalStateException("timed out waiting for " + what + "; logs in " + dir + ":\n" + logs());
        }

        private String logs() {
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(f -> f.toString().endsWith(".log")).sorted().map(f -> {
                    try {
                        List<String> lines = Files.readAllLines(f);
                        return f.getFileName() + ":\n  " + String.join("\n  ",
                                lines.subList(Math.max(0, lines.size() - 15), lines.size()));
                    } catch (IOException e) {
                        return f.getFileName() + ": " + e;
                    }
                }).collect(Collectors.joining("\n"));
            } catch (IOException e) {
                return e.toString();
            }
        }

        @Override
        public void close() {
            List.copyOf(servers.keySet()).forEach(this::kill);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temp dir left behind is harmless
            }
        }
    }

    /** A Redis Cluster; {@link #url()} names every node as a seed. */
    public static final class Cluster extends Topology {
        public String url() {
            return "redis-cluster://" + ports().stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
        }

        /** The port of the master that serves {@code key}'s slot now, according to the first master that answers. */
        public int ownerOf(String key) {
            int slot = slot(key);
            for (int port : ports()) {
                try {
                    return ownerOf(slot, port);
                } catch (RuntimeException e) {
                    // killed: ask another
                }
            }
            return -1;
        }

        private int ownerOf(int slot, int askedPort) {
            for (String line : cli(askedPort, "cluster", "nodes").split("\n")) {
                String[] parts = line.split(" ");
                if (parts.length < 9 || !parts[2].contains("master") || parts[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < parts.length; i++) {
                    if (parts[i].startsWith("[")) {
                        continue; // a slot being imported or migrated
                    }
                    String[] range = parts[i].split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = Integer.parseInt(range[range.length - 1]);
                    if (slot >= from && slot <= to) {
                        return Integer.parseInt(parts[1].substring(parts[1].indexOf(':') + 1, parts[1].indexOf('@')));
                    }
                }
            }
            return -1;
        }

        public int slot(String key) {
            return Integer.parseInt(cli(ports().getFirst(), "cluster", "keyslot", key).strip());
        }

        /**
         * Moves {@code key}'s slot, with its keys, to the master on {@code to}, the way {@code redis-cli --cluster
         * reshard} does: importing, migrating, the keys, then the new owner announced to every master.
         */
        public void moveSlot(String key, int to) {
            int slot = slot(key);
            int from = ownerOf(key);
            String target = nodeId(to);
            String source = nodeId(from);
            cli(to, "cluster", "setslot", Integer.toString(slot), "importing", source);
            cli(from, "cluster", "setslot", Integer.toString(slot), "migrating", target);
            while (true) {
                String keys = cli(from, "cluster", "getkeysinslot", Integer.toString(slot), "100").strip();
                if (keys.isEmpty()) {
                    break;
                }
                List<String> migrate = new ArrayList<>(List.of("migrate", HOST, Integer.toString(to), "", "0",
                        "5000", "keys"));
                migrate.addAll(List.of(keys.split("\n")));
                cli(from, migrate.toArray(String[]::new));
            }
            for (int port : ports()) {
                cli(port, "cluster", "setslot", Integer.toString(slot), "node", target);
            }
            await("every master agrees on the slot's owner", () -> ports().stream().allMatch(p -> ownerOf(slot, p) == to));
        }

        private String nodeId(int port) {
            return cli(port, "cluster", "myid").strip();
        }
    }

    /** A master, a replica and three Sentinels; {@link #url()} names the Sentinels. */
    public static final class Sentinels extends Topology {
        public static final String MASTER = "relay";
        private final List<Integer> sentinelPorts = new ArrayList<>();

        public String url() {
            return "redis-sentinel://" + sentinelPorts.stream().map(p -> HOST + ":" + p)
                    .collect(Collectors.joining(",")) + "#" + MASTER;
        }

        void startSentinel(int port, Path config) {
            launch(port, List.of(SERVER, config.toString(), "--sentinel", "--logfile",
                    dir.resolve("sentinel-" + port + ".log").toString()));
            sentinelPorts.add(port);
        }

        /** The data port the Sentinels name as master now. */
        public int master() {
            String[] address = cli(sentinelPorts.getFirst(), "sentinel", "get-master-addr-by-name", MASTER)
                    .strip().split("\n");
            return Integer.parseInt(address[1].strip());
        }

        /** The master's port, or 0 while the Sentinels cannot say. */
        public int masterOrZero() {
            try {
                return master();
            } catch (RuntimeException e) {
                return 0;
            }
        }

        /** Waits until the Sentinels name a master other than {@code old} and it accepts writes. */
        public int awaitFailoverFrom(int old) {
            await("the sentinels promote a new master", () -> {
                int now = master();
                return now != old && cli(now, "role").startsWith("master");
            });
            return master();
        }
    }

    private static String field(String sentinelInfo, String name) {
        String[] lines = sentinelInfo.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].strip().equals(name)) {
                return lines[i + 1].strip();
            }
        }
        return "";
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        for (int tries = 0; tries < PORTS.length; tries++) {
            int port = PORTS[Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS.length)];
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
                return port;
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("no free port in WS_TEST_REDIS_PORTS");
    }

    private static int[] portRange(String range) {
        String[] bounds = range.split("-");
        int from = Integer.parseInt(bounds[0].strip());
        int to = Integer.parseInt(bounds[bounds.length - 1].strip());
        int[] ports = new int[to - from + 1];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = from + i;
        }
        return ports;
    }
}
