package dev.relay.server.http;

import dev.relay.core.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Collects request bodies up to a bound; a larger body is refused with 413 in the envelope, not Netty's plain one. */
public final class BoundedHttpAggregator extends HttpObjectAggregator {
    private final HttpResponses responses;

    public BoundedHttpAggregator(int maxBodyBytes, HttpResponses responses) {
        super(maxBodyBytes);
        this.responses = responses;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        responses.error(ctx, false, ErrorCode.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + maxContentLength() + " bytes");
    }
}
