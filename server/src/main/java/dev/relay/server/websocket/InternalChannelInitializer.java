package dev.relay.server.websocket;

import dev.relay.server.config.HttpTimeoutConfig;
import dev.relay.server.http.BoundedHttpAggregator;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.Router;
import dev.relay.server.tls.ServerTls;
import dev.relay.server.tls.TlsFailures;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import dev.relay.core.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The internal port's pipeline: plain HTTP to its router, no WebSocket, no IP lists (the port is meant for a
 * network only operators and their scrapers reach; the admin routes on it still need an admin token).
 */
final class InternalChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(InternalChannelInitializer.class);

    private final Handler handler;
    private final HttpResponses responses;
    private final Duration writeWait;
    private final long outboundLimitBytes;
    private final HttpTimeoutConfig httpTimeouts;
    private final Optional<ServerTls> tls;

    /** The outbound budget and the HTTP timeouts are the public port's: a scraper is a client like any other. */
    InternalChannelInitializer(Router router, HttpResponses responses, Duration writeWait, long outboundLimitBytes,
                               HttpTimeoutConfig httpTimeouts, Optional<ServerTls> tls) {
        this.tls = tls;
        this.handler = new Handler(router, responses);
        this.responses = responses;
        this.writeWait = writeWait;
        this.outboundLimitBytes = outboundLimitBytes;
        this.httpTimeouts = httpTimeouts;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        // With tls_client_ca, this handler asks for and checks client certificates.
        tls.ifPresent(contexts -> channel.pipeline().addLast("tls", contexts.internalHandler(channel.alloc()))
                .addLast("tls-failures", TlsFailures.INSTANCE));
        channel.pipeline()
                .addLast("backpressure", new BackpressureHandler(writeWait, outboundLimitBytes))
                .addLast("http-codec", new HttpServerCodec())
                .addLast("http-timeouts", new HttpReadTimeouts(httpTimeouts))
                .addLast("http-aggregator", new BoundedHttpAggregator(MAX_BODY_BYTES, responses))
                .addLast("internal", handler);
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Router router;
        private final HttpResponses responses;

        Handler(Router router, HttpResponses responses) {
            this.router = router;
            this.responses = responses;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                responses.error(ctx, false, HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_FIELD,
                        "malformed HTTP request");
                return;
            }
            router.handle(ctx, request);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException) && !(cause instanceof PrematureChannelClosureException)) {
                LOG.error("event=http_error port=internal client={}", ctx.channel().remoteAddress(), cause);
            }
            ctx.close();
        }
    }
}
