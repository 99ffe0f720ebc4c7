package dev.relay.server.websocket;

import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

import java.util.HashMap;
import java.util.Map;

/**
 * permessage-deflate (RFC 7692) as Netty negotiates it, with two changes. Inbound messages are inflated by
 * {@link BoundedInflateDecoder}, which stops at max_message_size of inflated bytes; Netty's decoder inflates a whole
 * frame before anything can look at its size. And the server always answers {@code server_no_context_takeover}
 * (RFC 7692 7.1.1.1 lets it without being asked), so the server's deflater lives for one message instead of the
 * whole connection: a kept zlib deflater is about 256 KiB of native memory, far more than the rest of an idle
 * connection (docs/operations.md has the measurement).
 */
final class BoundedDeflateHandshaker implements WebSocketServerExtensionHandshaker {
    private static final String PERMESSAGE_DEFLATE = "permessage-deflate";
    private static final String SERVER_NO_CONTEXT = "server_no_context_takeover";
    private static final String CLIENT_NO_CONTEXT = "client_no_context_takeover";
    private static final int COMPRESSION_LEVEL = 6;
    private static final int MAX_WINDOW_BITS = 15;

    /**
     * Refuses offers that ask for a smaller server window (the JDK's zlib binding has no window setting), accepts
     * {@code client_no_context_takeover} when the client offers it (its inflater can then go between messages).
     */
    private final WebSocketServerExtensionHandshaker netty = new PerMessageDeflateServerExtensionHandshaker(
            COMPRESSION_LEVEL, false, MAX_WINDOW_BITS, true, true, 0);
    private final int maxMessageBytes;

    /** @param maxMessageBytes most bytes of one inflated message (max_message_size); one more closes with 1009 */
    BoundedDeflateHandshaker(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
        if (!PERMESSAGE_DEFLATE.equals(offer.name())) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>(offer.parameters());
        parameters.put(SERVER_NO_CONTEXT, null); // as if the client had asked: Netty then answers it and resets
        WebSocketServerExtension accepted = netty.handshakeExtension(new WebSocketExtensionData(offer.name(), parameters));
        if (accepted == null) {
            return null;
        }
        boolean clientResets = accepted.newReponseData().parameters().containsKey(CLIENT_NO_CONTEXT);
        return new Bounded(accepted, maxMessageBytes, clientResets);
    }

    /** Netty's extension with our decoder. */
    private record Bounded(WebSocketServerExtension accepted, int maxMessageBytes, boolean clientResets)
            implements WebSocketServerExtension {
        @Override
        public int rsv() {
            return accepted.rsv();
        }

        @Override
        public WebSocketExtensionEncoder newExtensionEncoder() {
            return accepted.newExtensionEncoder();
        }

        @Override
        public WebSocketExtensionDecoder newExtensionDecoder() {
            return new BoundedInflateDecoder(maxMessageBytes, clientResets);
        }

        @Override
        public WebSocketExtensionData newReponseData() {
            return accepted.newReponseData();
        }
    }
}
