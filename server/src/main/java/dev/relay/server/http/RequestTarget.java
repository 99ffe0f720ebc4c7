package dev.relay.server.http;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request target read once, the way every decision on it is made: the gate choosing between the upgrade and the
 * REST API, the router choosing a route, the handlers reading path parameters. The path is split on {@code /} first
 * and each segment percent-decoded exactly once, so {@code /ws/%63onnect} is the connect path everywhere,
 * {@code %2F} stays inside its segment and {@code x%2541y} is the user {@code x%41y}, never {@code xAy}. A target
 * that cannot be decoded is refused here, as a 400 without a stack trace.
 */
public final class RequestTarget {
    private final String[] segments;
    private final QueryStringDecoder query;
    private final String rawQuery;

    private RequestTarget(String[] segments, QueryStringDecoder query, String rawQuery) {
        this.segments = segments;
        this.query = query;
        this.rawQuery = rawQuery;
    }

    /** Reads {@code uri}; a malformed percent-encoding or invalid UTF-8 is refused with {@code invalid_field}. */
    public static RequestTarget parse(String uri) {
        int end = uri.length();
        int question = uri.indexOf('?');
        int hash = uri.indexOf('#');
        if (hash >= 0) {
            end = hash;
        }
        int pathEnd = question >= 0 && question < end ? question : end;
        String rawQuery = pathEnd < end ? uri.substring(pathEnd + 1, end) : "";
        String[] raw = Route.split(uri.substring(0, pathEnd));
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            decoded[i] = decodeSegment(raw[i]);
        }
        QueryStringDecoder query = new QueryStringDecoder("?" + rawQuery);
        try {
            query.parameters(); // decoded now, so a bad escape is a 400 here rather than an exception in a handler
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        return new RequestTarget(decoded, query, rawQuery);
    }

    /** Whether this target's path is {@code path} (a literal path such as {@code /ws/connect}). */
    public boolean is(String path) {
        return Arrays.equals(segments, Route.split(path));
    }

    /** The decoded path, for messages and logs. */
    public String path() {
        return "/" + String.join("/", segments);
    }

    /** The query parameters, decoded. */
    public Map<String, List<String>> parameters() {
        return query.parameters();
    }

    /** The query as decoded by Netty, for code that reads parameters (the token among them). */
    public QueryStringDecoder query() {
        return query;
    }

    /** {@code path} with this target's query string as it came: how a request is handed on to a matcher of raw URIs. */
    public String withPath(String path) {
        return rawQuery.isEmpty() ? path : path + "?" + rawQuery;
    }

    String[] segments() {
        return segments;
    }

    /** Each run of escapes is one sequence of UTF-8 bytes; characters between them are kept as they came. */
    private static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder decoded = new StringBuilder(segment.length());
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                flush(escaped, decoded);
                decoded.append(c);
                continue;
            }
            if (i + 2 >= segment.length()) {
                throw malformed();
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw malformed();
            }
            escaped.write(high << 4 | low);
            i += 2;
        }
        flush(escaped, decoded);
        return decoded.toString();
    }

    private static void flush(ByteArrayOutputStream escaped, StringBuilder decoded) {
        if (escaped.size() == 0) {
            return;
        }
        try {
            decoded.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(escaped.toByteArray())));
        } catch (CharacterCodingException e) {
            throw malformed();
        }
        escaped.reset();
    }

    private static ProtocolException malformed() {
        return new ProtocolException(ErrorCode.INVALID_FIELD,
                "the request target is not valid: a '%' must start an escape of two hex digits of UTF-8");
    }
}
