package dev.relay.server.cli;

import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.WebSocketService;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.RelayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code checktoken TOKEN}: says whether the server would accept a token, and as whom. */
@Command(name = "checktoken", mixinStandardHelpOptions = true,
        description = {"Verify a JWT with the configured keys and rules (jwt_secret or the kept trial secret, "
                + "jwt_public_key or jwt_jwks_url, jwt_issuer, jwt_audience, jwt_max_ttl, jwt_clock_skew), exactly as "
                + "the server would, and print who it identifies. Exit status 0 when accepted, 1 with the reason "
                + "when refused."})
final class CheckTokenCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "The JWT, as a client would send it.")
    String token;

    @Override
    public Integer call() throws Exception {
        RelayConfig config;
        String secret;
        try {
            config = configOptions.load(Map.of());
            secret = config.security().jwtSecret().orElse(null);
            if (secret == null) {
                secret = TrialSecret.keptIn(config.server().dataDir());
            }
        } catch (ConfigException | IOException e) {
            System.err.println("checktoken: " + e.getMessage());
            return Main.CONFIG_ERROR;
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            JwtVerifier.Verified verified = WebSocketService.tokenVerifier(config.security().jwt(), secret,
                    Clock.systemUTC(), opened).check(token);
            System.out.println("user_id: " + verified.identity().userId());
            System.out.println("name:    " + verified.identity().name());
            System.out.println("roles:   " + String.join(", ", verified.identity().roles()));
            System.out.println("rooms:   " + String.join(", ", verified.rooms()));
            System.out.println("expires: " + verified.expiresAt());
            return 0;
        } catch (ProtocolException e) {
            System.err.println("checktoken: refused: " + e.getMessage());
            return 1;
        } finally {
            for (AutoCloseable each : opened) {
                each.close();
            }
        }
    }
}
