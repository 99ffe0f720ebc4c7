package dev.relay.server.http;

import dev.relay.core.identity.Identity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.Map;

/** One REST request being answered: who asked (null on public routes), what, and where to answer. */
record RestCall(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target,
                Map<String, String> pathParameters, Identity identity, boolean keepAlive) {

    QueryStringDecoder query() {
        return target.query();
    }

    /** The decoded path, for logs. */
    String path() {
        return target.path();
    }

    String pathParameter(String name) {
        return pathParameters.get(name);
    }
}
