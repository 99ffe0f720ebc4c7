/**
 * Socket.IO v4 (Engine.IO 4, Socket.IO protocol 5) at {@code /socket.io/}: long-polling, the WebSocket upgrade and
 * WebSocket-only connections, each an Engine.IO session mapped onto the hub (see docs/compatibility.md).
 */
package dev.relay.server.socketio;
