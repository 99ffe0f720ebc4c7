package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.session.Session;
import dev.relay.server.config.ProxyConfig;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code proxy_publish_url} and {@code proxy_rpc_url}: gives each connection its {@link Inbox}. With neither
 * configured that is the hub itself, so a server without proxies pays nothing per message; with one, a
 * {@link ProxiedInbox} per connection.
 */
public final class MessageProxies {
    private final Hub hub;
    private final ProxyConfig publish;
    private final ProxyConfig rpc;
    private final ProxyClient client;
    private final ObjectMapper mapper;
    private final Clock clock;

    MessageProxies(Hub hub, ProxyConfig publish, ProxyConfig rpc, ProxyClient client, ObjectMapper mapper,
                   Clock clock) {
        this.hub = hub;
        this.publish = publish;
        this.rpc = rpc;
        this.client = client;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** The upgrade headers the proxies may forward: the gate keeps these for the connection's whole life. */
    public Set<String> headerNames() {
        Set<String> names = new LinkedHashSet<>();
        if (publish.enabled()) {
            names.addAll(publish.headers());
        }
        if (rpc.enabled()) {
            names.addAll(rpc.headers());
        }
        return Set.copyOf(names);
    }

    /**
     * @param headers the upgrade request's headers named by {@link #headerNames()}, keyed in lower case
     */
    public Inbox open(Session session, Map<String, String> headers) {
        if (!publish.enabled() && !rpc.enabled()) {
            return message -> hub.onMessage(session, message);
        }
        return new ProxiedInbox(hub, session, publish, rpc, Map.copyOf(headers), client, mapper, clock);
    }
}
