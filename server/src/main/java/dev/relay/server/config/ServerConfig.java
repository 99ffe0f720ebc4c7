package dev.relay.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The listening socket and each connection's buffers, timers and limits.
 *
 * @param host              address to listen on
 * @param port              port to listen on; 0 picks a free port
 * @param readBufferSize    bytes: initial size of a connection's read buffer, grown by Netty's adaptive allocator
 * @param writeBufferSize   bytes: low water mark of a connection's outbound buffer
 * @param pingPeriod        how often each connection is pinged
 * @param pongWait          how long after a ping the client has to answer before it is closed
 * @param writeWait         how long a connection may stay unwritable before it is closed as a slow consumer
 * @param maxMessageSize    bytes: largest incoming WebSocket message; a larger one closes the connection with 1009
 * @param enableCompression whether permessage-deflate is negotiated with clients that offer it
 * @param maxConnections    most concurrent WebSocket connections; more are refused with HTTP 503
 * @param logDir            directory of websocket.log
 * @param dataDir           directory for data files (planned persistence)
 * @param transport         Netty I/O transport: auto, epoll, io_uring or nio (one that cannot load here falls back)
 * @param httpTimeouts      how long a connection still speaking HTTP may keep the server waiting
 * @param tls               certificate and key for wss:// and https://, or off
 * @param enableStomp       whether STOMP over WebSocket is served at /ws/stomp
 * @param enableSocketio    whether Socket.IO v4 is served at /socket.io/
 */
public record ServerConfig(String host, int port, int readBufferSize, int writeBufferSize, Duration pingPeriod,
                           Duration pongWait, Duration writeWait, int maxMessageSize, boolean enableCompression,
                           int maxConnections, Path logDir, Path dataDir, String transport,
                           HttpTimeoutConfig httpTimeouts, TlsConfig tls, boolean enableStomp,
                           boolean enableSocketio) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pingPeriod, "pingPeriod");
        Objects.requireNonNull(pongWait, "pongWait");
        Objects.requireNonNull(writeWait, "writeWait");
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(httpTimeouts, "httpTimeouts");
        Objects.requireNonNull(tls, "tls");
    }
}
