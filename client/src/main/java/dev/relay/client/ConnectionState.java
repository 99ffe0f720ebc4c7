package dev.relay.client;

/** Where a {@link RelayClient}'s connection stands. */
public enum ConnectionState {
    /** Opening a WebSocket, or open and waiting for the server's {@code welcome}. */
    CONNECTING,
    /** The server's {@code welcome} arrived: sends go out at once. */
    CONNECTED,
    /** No connection: waiting to reconnect (see {@link StateChange#reconnecting()}), or closed for good. */
    DISCONNECTED
}
