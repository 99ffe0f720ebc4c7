package dev.relay.server.config;

import java.util.List;
import java.util.Objects;

/**
 * The application's own server, seen from Relay: webhooks it is told about events through, and proxies it is asked
 * through (docs/integrations.md).
 *
 * @param connectMode {@link #CONNECT_ALWAYS}: the connect proxy decides every upgrade, instead of the JWT;
 *                    {@link #CONNECT_WITHOUT_VALID_JWT}: a valid JWT is enough, the proxy decides the others
 */
public record IntegrationConfig(List<WebhookConfig> webhooks, ProxyConfig connect, String connectMode,
                                ProxyConfig publish, ProxyConfig rpc) {
    public static final String CONNECT_ALWAYS = "always";
    public static final String CONNECT_WITHOUT_VALID_JWT = "without_valid_jwt";

    public IntegrationConfig {
        webhooks = List.copyOf(webhooks);
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(connectMode, "connectMode");
        Objects.requireNonNull(publish, "publish");
        Objects.requireNonNull(rpc, "rpc");
    }
}
