package dev.relay.server.cli;

import dev.relay.server.WebSocketService;
import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.LoadedConfig;
import dev.relay.server.config.LogConfig;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.reload.LogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code wsserver}: serves by default; {@code wsserver token} prints a token. */
@Command(name = "wsserver", mixinStandardHelpOptions = true, versionProvider = Version.class,
        subcommands = {TokenCommand.class, CheckConfigCommand.class, DefaultConfigCommand.class, CheckTokenCommand.class,
                CommandLine.HelpCommand.class},
        description = {
                "Relay: a real-time WebSocket server with rooms, private messages, broadcast and a REST API.",
                "",
                "Without a command it serves WebSocket connections on ws://HOST:PORT/ws/connect (wss:// with tls_cert_file) and the REST API "
                        + "under /ws/. Configuration: defaults < --config file < WS_* environment < command line."},
        footer = {
                "",
                "Examples:",
                "  wsserver                          serve on port 8080",
                "  wsserver --port 9000 --config relay.yaml",
                "  wsserver token --user alice --role admin",
                "  wsserver checkconfig relay.yaml       validate, and print every effective value",
                "  wsserver defaultconfig > relay.yaml   every key with its default and meaning",
                "  wsserver checktoken TOKEN             would the server accept it, and as whom",
                "",
                "Docs: docs/configuration.md, docs/protocol.md, docs/operations.md"})
public final class Main implements Callable<Integer> {
    /** Exit status for a configuration the server refuses to start with. */
    static final int CONFIG_ERROR = 2;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default 0.0.0.0).")
    String host;

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new Main());
        int status = commandLine.execute(args);
        System.exit(status);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> cli = new LinkedHashMap<>();
        if (port != null) {
            cli.put("port", port.toString());
        }
        if (host != null) {
            cli.put("host", host);
        }
        LoadedConfig loaded;
        RelayConfig config;
        try {
            loaded = configOptions.loadWithValues(cli);
            config = loaded.config();
        } catch (ConfigException e) {
            System.err.println("wsserver: " + e.getMessage());
            return CONFIG_ERROR;
        }
        // Logback reads these when it first starts (logback.xml), so they must be set before the first logger.
        System.setProperty("relay.log_dir", config.server().logDir().toString());
        LogConfig logs = config.observability().logs();
        System.setProperty("relay.log_format", logs.format());
        System.setProperty("relay.log_max_file_size", Integer.toString(logs.maxFileSize()));
        System.setProperty("relay.log_retention_days", Integer.toString(logs.retentionDays()));
        System.setProperty("relay.log_total_size_cap", Integer.toString(logs.totalSizeCap()));
        LogLevel.apply(logs.level());
        Logger log = LoggerFactory.getLogger(Main.class);
        ConfigLoader.unknownEnvironmentVariables(System.getenv()).forEach(warning -> log.warn("event=config_warning {}", warning));

        boolean generatedSecret = config.security().jwtSecret().isEmpty();
        if (generatedSecret) {
            String trial = trialSecret(config.server().dataDir(), log);
            loaded = loaded.withJwtSecret(trial);
            config = loaded.config();
        }
        String keptSecret = generatedSecret ? config.security().jwtSecret().orElseThrow() : null;
        WebSocketService service;
        try {
            service = WebSocketService.create(config); // may connect to the cluster's engine, and find it missing
        } catch (ConfigException e) {
            System.err.println("wsserver: " + e.getMessage());
            return CONFIG_ERROR;
        }
        try {
            service.start();
        } catch (Exception e) {
            System.err.println("wsserver: cannot listen on " + config.server().host() + ":" + config.server().port()
                    + ": " + e.getMessage());
            return 1;
        }
        // A reload reads the same file, the environment and the command line again; without a jwt_secret, the kept
        // trial secret stays the one in use.
        service.reloadFrom(loaded, () -> {
            LoadedConfig next = configOptions.loadWithValues(cli);
            return keptSecret != null && next.config().security().jwtSecret().isEmpty()
                    ? next.withJwtSecret(keptSecret) : next;
        });
        ReloadSignal.install(service, log);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
            // A clean, complete shutdown is a success: exit 0 rather than the JVM's 143 for SIGTERM, once the logs
            // are written (halt skips the remaining hooks, so stop logging first).
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logging) {
                logging.stop();
            }
            Runtime.getRuntime().halt(0);
        }, "relay-shutdown"));

        boolean tls = config.server().tls().enabled();
        String base = (tls ? "wss://" : "ws://") + displayHost(config.server().host()) + ":" + service.port()
                + "/ws/connect";
        log.info("event=started version={} url={}", Version.current(), base);
        String host = displayHost(config.server().host());
        String http = tls ? "https" : "http";
        service.internalAddress().ifPresent(internal -> log.info("event=internal_port metrics={}://{}:{}/metrics",
                http, host, internal.getPort()));
        if (generatedSecret) {
            String token = new TokenIssuer(config.security().jwtSecret().orElseThrow(), Clock.systemUTC())
                    .issue("admin", "Admin", List.of("admin"), Duration.ofHours(24));
            log.warn("event=generated_jwt_secret No jwt_secret is configured, so a random one is kept in {} for trying"
                    + " the server (tokens survive a restart; delete the file to revoke them all). Set WS_JWT_SECRET"
                    + " (32+ bytes) or jwt_secret for real use.", config.server().dataDir().resolve(TrialSecret.FILE));
            log.warn("event=admin_token valid=24h token={}", token);
            log.warn("event=connect_url url={}?room_id=general&token={}", base, token);
            // The page reads the token from the link, so a first look is one click.
            log.warn("event=web_url url={}://{}:{}/?token={}", http, host, service.port(), token);
        }
        stopped.await();
        return 0;
    }

    private static String displayHost(String host) {
        return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
    }

    /**
     * The {@link TrialSecret kept secret}, which {@code wsserver token} signs with too; where the file cannot be
     * kept, a secret for this run only.
     */
    private static String trialSecret(Path dataDir, Logger log) {
        try {
            return TrialSecret.keptIn(dataDir);
        } catch (IOException e) {
            log.warn("event=trial_secret_not_kept file={} error=\"{}\" tokens stop working when the server restarts",
                    dataDir.resolve(TrialSecret.FILE), e.getMessage());
            return TrialSecret.random();
        }
    }
}
