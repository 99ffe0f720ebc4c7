package dev.relay.server.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;

/** Where a request carries its token: the Authorization header, or for browsers the {@code token} parameter. */
public final class BearerToken {
    private static final String PREFIX = "Bearer ";

    private BearerToken() {
    }

    /** The token, or null when the request has none. */
    public static String from(HttpRequest request, QueryStringDecoder query) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            String token = header.substring(PREFIX.length()).strip();
            if (!token.isEmpty()) {
                return token;
            }
        }
        List<String> values = query.parameters().get("token");
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
