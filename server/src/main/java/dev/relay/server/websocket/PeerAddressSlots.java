package dev.relay.server.websocket;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.access.ClientAddresses;
import dev.relay.server.http.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * max_connections_per_ip for every socket, from its opening: one that has sent nothing yet, or only part of a
 * request, holds a slot like a WebSocket does, so half-open sockets cannot pile up uncounted.
 *
 * <p>A raw socket has only its peer's address. Sockets from trusted_proxies carry many clients, so they are not
 * counted here; their clients are counted at the upgrade by the forwarded address ({@link HttpGateHandler}). Any
 * other peer is the client (the forwarding headers are ignored for it), so the slot taken here is the same one the
 * upgrade would take, and the gate does not take a second: a socket counts once, before and after its upgrade.
 *
 * <p>A socket over the limit is answered 429 {@code connection_limit} when its request has arrived and then closed
 * (closing before reading the request could reset the connection under the answer); one that sends no request within
 * {@link #REFUSED_GRACE_MILLIS} is closed without one.
 */
final class PeerAddressSlots extends ChannelInboundHandlerAdapter {
    /** The address whose slot this channel holds from its opening; unset when it holds none. */
    static final AttributeKey<String> HELD = AttributeKey.valueOf("relay.peer-address-slot");
    /** How long a refused socket may take to send the request its refusal answers. */
    static final long REFUSED_GRACE_MILLIS = 1000;

    private final KeyedSlots perAddress;
    private final ClientAddresses addresses;
    private final HttpResponses responses;
    private boolean refused;
    private boolean answered;

    PeerAddressSlots(KeyedSlots perAddress, ClientAddresses addresses, HttpResponses responses) {
        this.perAddress = perAddress;
        this.addresses = addresses;
        this.responses = responses;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress socket) {
            InetAddress peer = socket.getAddress();
            if (!addresses.isTrustedProxy(peer)) {
                String key = peer.getHostAddress();
                if (perAddress.tryAcquire(key)) {
                    ctx.channel().attr(HELD).set(key);
                    ctx.channel().closeFuture().addListener(closed -> perAddress.release(key));
                } else {
                    refused = true;
                    ctx.executor().schedule(() -> {
                        ctx.close();
                    }, REFUSED_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        }
        super.channelActive(ctx);
        if (!refused) {
            ctx.pipeline().remove(this); // nothing more to do: the slot goes back when the channel closes
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!refused) {
            ctx.fireChannelRead(message);
            return;
        }
        boolean requestComplete = message instanceof LastHttpContent;
        ReferenceCountUtil.release(message);
        if (requestComplete && !answered) {
            answered = true;
            responses.error(ctx, false, new ProtocolException(ErrorCode.CONNECTION_LIMIT, "your address already has "
                    + perAddress.max() + " connections, the most allowed (max_connections_per_ip)"));
        }
    }
}
