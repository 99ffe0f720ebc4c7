package dev.relay.server.cli;

import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.Durations;
import dev.relay.server.config.RelayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code wsserver token}: prints an HS256 token signed with the configured secret. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Print an HS256 JWT signed with the configured jwt_secret (from --config, WS_JWT_SECRET or "
                + "--set jwt_secret=...). Use it as 'Authorization: Bearer <token>' or '?token=<token>'.",
                "Without a jwt_secret it signs with the secret a server without one keeps in data_dir/jwt-secret "
                        + "(generating and keeping it first if no server has yet), so a server started with the same "
                        + "configuration accepts it."})
final class TokenCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "The user id (the 'sub' claim).")
    String user;

    @Option(names = "--name", paramLabel = "NAME", description = "Display name (the 'name' claim).")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role, e.g. admin; repeat for several.")
    List<String> roles = new ArrayList<>();

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
            description = "How long the token is valid, e.g. 30m, 24h, 7d (default ${DEFAULT-VALUE}).")
    String ttl;

    @Override
    public Integer call() {
        RelayConfig config;
        Duration validity;
        try {
            config = configOptions.load(Map.of());
            validity = Durations.parseOption(ttl);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("wsserver token: " + e.getMessage());
            return Main.CONFIG_ERROR;
        }
        String secret = config.security().jwtSecret().orElse(null);
        if (secret == null) {
            // The server's own choice when it has no secret (Main): the same file, so its tokens and ours agree.
            Path dataDir = config.server().dataDir();
            try {
                secret = TrialSecret.keptIn(dataDir);
            } catch (IOException e) {
                System.err.println("wsserver token: no jwt_secret is configured, and the trial secret cannot be kept in "
                        + dataDir.resolve(TrialSecret.FILE) + " (" + e.getMessage() + "); set WS_JWT_SECRET (32+ bytes), "
                        + "jwt_secret in the --config file, or --set jwt_secret=..., and start the server with the same one");
                return Main.CONFIG_ERROR;
            }
            // On stderr, so that TOKEN=$(wsserver token ...) still captures the token alone.
            System.err.println("wsserver token: no jwt_secret is configured; signed with the trial secret kept in "
                    + dataDir.resolve(TrialSecret.FILE) + ", which a server using the same data_dir accepts");
        }
        System.out.println(new TokenIssuer(secret, Clock.systemUTC()).issue(user, name, roles, validity));
        return 0;
    }
}
