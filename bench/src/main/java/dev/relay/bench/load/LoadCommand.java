package dev.relay.bench.load;

import dev.relay.server.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** The options every scenario takes; the scenario fills in what is not given. */
@Command(mixinStandardHelpOptions = true, sortOptions = false)
public final class LoadCommand implements Callable<Integer> {
    private final Scenario scenario;
    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    @Option(names = "--target", paramLabel = "relay|raw|socketio|relay-socketio",
            description = "relay: Relay's JSON protocol; raw: plain text broadcast (peer servers, raw Netty); socketio: broadcast over Socket.IO framing; relay-socketio: Relay's /socket.io/ endpoint (default relay)")
    String target = "relay";
    @Option(names = "--url", description = "WebSocket URL (default for the target, on 127.0.0.1:8080)")
    String url;
    @Option(names = "--clients", paramLabel = "N", description = "connections (subscribers for fanout)")
    Integer clients;
    @Option(names = "--publishers", paramLabel = "P", description = "publishers (fanout: extra connections; rooms: per room, 0 = all)")
    Integer publishers;
    @Option(names = "--rate", paramLabel = "MSGS", description = "messages a second, all publishers together (100k, 1.5M); 0 = as fast as the server echoes")
    String rate;
    @Option(names = "--window", paramLabel = "N", description = "at --rate 0: own messages a publisher may have in flight (default 64)")
    Integer window;
    @Option(names = "--size", paramLabel = "BYTES", description = "bytes of content per message (default 100)")
    int size = 100;
    @Option(names = "--duration", paramLabel = "TIME", description = "measured time (idle: holding time), e.g. 10s (default 10s; idle 5s)")
    String duration;
    @Option(names = "--warmup", paramLabel = "TIME", description = "load before measuring (default 2s); connect: an unmeasured pass of up to 2000 handshakes, then this pause")
    String warmup = "2s";
    @Option(names = "--drain", paramLabel = "TIME", description = "after the run, how long to wait for messages in flight before counting them lost (default 5s)")
    String drain = "5s";
    @Option(names = "--threads", paramLabel = "N", description = "generator event loops (default: available processors)")
    Integer threads;
    @Option(names = "--transport", paramLabel = "epoll|io_uring|nio", description = "generator I/O transport (default epoll; NIO where it does not load)")
    String transport = "epoll";
    @Option(names = "--secret", description = "the server's jwt_secret for signing tokens (default $WS_JWT_SECRET)")
    String secret;
    @Option(names = "--room", description = "room of fanout, private, connect and idle (default general)")
    String room = "general";
    @Option(names = "--rooms", paramLabel = "K", description = "rooms scenario: rooms to spread the clients over (default 10)")
    int rooms = 10;
    @Option(names = "--users", paramLabel = "U", description = "connect/idle: distinct users the connections cycle through, 0 = one each (default 100)")
    int users = 100;
    @Option(names = "--concurrency", paramLabel = "C", description = "handshakes in flight at once (default 500)")
    int concurrency = 500;
    @Option(names = "--server-pid", paramLabel = "PID", split = ",", description = "the server's pid: RSS, CPU (and JVM heap) from /proc and jcmd; for a cluster one per node, comma-separated, summed")
    List<Long> serverPids;
    @Option(names = "--source-addresses", paramLabel = "N", description = "loopback source addresses to spread over (default: one per 28k connections)")
    Integer sourceAddresses;
    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON ('-': print JSON instead of the table)")
    Path json;
    @Option(names = "--label", description = "name for the result in reports (default: the target)")
    String label;
    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;
    @Option(names = "--nodes", split = ",", paramLabel = "URL,URL",
            description = "cluster: the nodes' WebSocket URLs; connections go round-robin over them (default: --url)")
    List<URI> nodes;
    @Option(names = "--deflate", description = "idle, connect: offer permessage-deflate in each handshake, as browsers do (what compression costs the server per connection)")
    boolean deflate;

    public LoadCommand(Scenario scenario, Map<String, String> env) {
        this.scenario = scenario;
        this.env = env;
    }

    /** Resolves the options and the scenario's defaults into one run's settings. */
    public LoadSettings settings() {
        Target chosen = switch (target.toLowerCase(Locale.ROOT)) {
            case "relay" -> Target.RELAY;
            case "raw" -> Target.RAW;
            case "socketio", "socket.io" -> Target.SOCKETIO;
            case "relay-socketio" -> Target.RELAY_SOCKETIO;
            default -> throw new IllegalArgumentException("--target is relay, raw, socketio or relay-socketio, not '"
                    + target + "'");
        };
        int n = clients != null ? clients : scenario.defaultClients;
        Duration length = duration != null ? Durations.parseOption(duration)
                : scenario == Scenario.IDLE ? Duration.ofSeconds(5) : Duration.ofSeconds(10);
        return new LoadSettings(scenario, chosen, url != null ? URI.create(url) : chosen.defaultUrl(), n,
                publishers != null ? publishers : scenario.defaultPublishers,
                rate != null ? parseRate(rate) : scenario.defaultRate, size, length,
                scenario == Scenario.IDLE ? Duration.ZERO : durationOrZero(warmup),
                window != null ? window : scenario.defaultWindow,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                secret != null ? secret : env.get("WS_JWT_SECRET"), room, rooms, users, concurrency, serverPids,
                sourceAddresses != null ? sourceAddresses : Clients.sourceAddressesFor(n), json, label,
                durationOrZero(drain), quiet, nodes == null ? List.of() : nodes,
                transport.toLowerCase(Locale.ROOT), deflate);
    }

    /** A duration as the server's options take it ({@code 2s}, {@code 500ms}), or {@code 0} / {@code 0s} for none. */
    static Duration durationOrZero(String text) {
        String t = text.strip();
        return t.equals("0") || t.matches("0+(\\.0+)?(ns|us|ms|s|m|h)") ? Duration.ZERO : Durations.parseOption(t);
    }

    /** {@code 2000}, {@code 100k}, {@code 1.5M}: messages a second. */
    static double parseRate(String text) {
        String t = text.strip();
        double scale = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k' || last == 'K') {
            scale = 1e3;
        } else if (last == 'm' || last == 'M') {
            scale = 1e6;
        }
        try {
            double value = Double.parseDouble(scale == 1 ? t : t.substring(0, t.length() - 1)) * scale;
            if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate is a number of messages a second (2000, 100k, 1.5M), not '" + text + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        LoadSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench " + scenario.command() + ": " + e.getMessage());
            return 2;
        }
        boolean jsonOnly = settings.json() != null && settings.json().toString().equals("-");
        Result result = new LoadRun(settings, System.err).run();
        if (jsonOnly) {
            System.out.println(result.toJson());
        } else {
            result.printTable(System.out);
            if (settings.json() != null) {
                result.writeJson(settings.json());
            }
        }
        return 0;
    }
}
