package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.server.config.IntegrationConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/** The three proxies of one server, built once from the configuration; closed with the service. */
public record Proxies(ConnectProxy connect, MessageProxies messages, ProxyClient client) implements AutoCloseable {
    public static Proxies create(IntegrationConfig config, Hub hub, ObjectMapper mapper, MeterRegistry registry,
                                 Clock clock) {
        ProxyClient client = new ProxyClient(mapper, registry);
        return new Proxies(new ConnectProxy(config.connect(), config.connectMode(), client, mapper),
                new MessageProxies(hub, config.publish(), config.rpc(), client, mapper, clock), client);
    }

    @Override
    public void close() {
        client.close();
    }
}
