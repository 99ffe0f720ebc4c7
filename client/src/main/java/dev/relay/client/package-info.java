/**
 * A Java client for Relay on the JDK's {@code java.net.http.WebSocket}: {@link dev.relay.client.RelayClient}
 * reconnects with exponential backoff and full jitter, resumes every joined room from the last {@code seq} it saw,
 * completes sends with the server's {@code ack}, and queues (boundedly) what is sent while it is disconnected.
 */
package dev.relay.client;
