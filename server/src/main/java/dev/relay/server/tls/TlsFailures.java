package dev.relay.server.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;

/**
 * Right after the TLS handler: a failed handshake or a record that is not TLS (plain HTTP to a TLS port, a client
 * that does not trust the certificate, no client certificate where one is required) is the client's problem, so it
 * is one INFO line and a closed connection, not an error with a stack trace from the handlers further on.
 */
@ChannelHandler.Sharable
public final class TlsFailures extends ChannelInboundHandlerAdapter {
    public static final TlsFailures INSTANCE = new TlsFailures();
    private static final Logger LOG = LoggerFactory.getLogger(TlsFailures.class);

    private TlsFailures() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof SSLException) {
            LOG.info("event=tls_handshake_failed client={} reason=\"{}\"", ctx.channel().remoteAddress(),
                    tls.getMessage());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }
}
