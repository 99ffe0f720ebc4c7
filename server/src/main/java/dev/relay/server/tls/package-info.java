/**
 * TLS for the public and internal ports: PEM certificate and key read and checked at start, renewed files taken
 * without a restart (open connections keep the context they shook hands with), the native OpenSSL provider
 * (netty-tcnative's BoringSSL) where it loads and the JDK's elsewhere.
 */
package dev.relay.server.tls;
