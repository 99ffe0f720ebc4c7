package dev.relay.server.cli;

import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.Durations;
import dev.relay.server.config.RelayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code wsserver token}: prints an HS256 token signed with the configured secret. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Print an HS256 JWT signed with the configured jwt_secret (from --config, WS_JWT_SECRET or "
                + "--set jwt_secret=...). Use it as 'Authorization: Bearer <token>' or '?token=<token>'."})
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
            System.err.println("wsserver token: no jwt_secret is configured; set WS_JWT_SECRET (32+ bytes), "
                    + "jwt_secret in the --config file, or --set jwt_secret=..., and start the server with the same one");
            return Main.CONFIG_ERROR;
        }
        System.out.println(new TokenIssuer(secret, Clock.systemUTC()).issue(user, name, roles, validity));
        return 0;
    }
}
