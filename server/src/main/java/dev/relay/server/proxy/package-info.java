/**
 * Proxies to the application's backend: asked before an upgrade ({@link dev.relay.server.proxy.ConnectProxy}),
 * before a client's room or private message is accepted, and for each {@code rpc} frame
 * ({@link dev.relay.server.proxy.MessageProxies}). Every call is an asynchronous HTTP POST; its answer comes back to
 * the connection's event loop, which never waits for it (docs/integrations.md).
 */
package dev.relay.server.proxy;
