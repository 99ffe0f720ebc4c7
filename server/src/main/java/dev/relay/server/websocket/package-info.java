/**
 * The Netty transport: the pipeline, the upgrade gate (IP, origin, token, room and connection limit, all before the
 * handshake), frame translation to the hub, heartbeats, and writing the frames {@code server.codec} encoded once for
 * all recipients.
 */
package dev.relay.server.websocket;
