/**
 * STOMP 1.2 (and 1.1) over WebSocket at {@code /ws/stomp}: Netty's STOMP codec reads and writes the frames, and this
 * package maps them onto the hub, as one more kind of connection beside {@code /ws/connect}'s (see
 * docs/compatibility.md for the mapping).
 */
package dev.relay.server.stomp;
