package dev.relay.server.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.Map;

/** One REST endpoint: a method, a path pattern such as {@code /ws/rooms/{id}/join}, and its handler. */
record Route(HttpMethod method, String[] segments, boolean authenticated, Handler handler) {

    @FunctionalInterface
    interface Handler {
        void handle(RestCall call) throws Exception;
    }

    static Route of(HttpMethod method, String pattern, boolean authenticated, Handler handler) {
        return new Route(method, split(pattern), authenticated, handler);
    }

    /** The path parameters when {@code path} fits this route's pattern, else null. */
    Map<String, String> match(String[] path) {
        if (path.length != segments.length) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>(2);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.startsWith("{") && segment.endsWith("}")) {
                parameters.put(segment.substring(1, segment.length() - 1), path[i]);
            } else if (!segment.equals(path[i])) {
                return null;
            }
        }
        return parameters;
    }

    /** The pattern as written, e.g. {@code /ws/rooms/{id}/join}. */
    String pattern() {
        return "/" + String.join("/", segments);
    }

    static String[] split(String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (trimmed.isEmpty() || trimmed.equals("/")) {
            return new String[0]; // "" is what QueryStringDecoder makes of a request target like "?token=x"
        }
        // Netty accepts a request target without the leading slash; its first character is not to be dropped.
        return (trimmed.startsWith("/") ? trimmed.substring(1) : trimmed).split("/", -1);
    }
}
