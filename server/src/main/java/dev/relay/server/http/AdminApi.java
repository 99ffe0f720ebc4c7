package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Watching and moderating users: a user's activity (admins, or the user themself), disconnecting a user and closing
 * a room (admins only). The admin-only routes can move to the internal port; the activity route stays public.
 */
public final class AdminApi {
    /** A close frame's reason has at most 123 bytes of UTF-8 (RFC 6455: 125 bytes of payload minus the code). */
    static final int MAX_CLOSE_REASON_BYTES = 123;
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final Hub hub;
    private final Function<String, Object> activityOf;
    private final Supplier<Object> recentAlerts;
    private final ObjectMapper mapper;
    private final HttpResponses responses;

    /**
     * @param activityOf   a user's activity as a JSON-ready value
     * @param recentAlerts the latest alert changes as a JSON-ready value
     */
    public AdminApi(Hub hub, Function<String, Object> activityOf, Supplier<Object> recentAlerts, ObjectMapper mapper,
                    HttpResponses responses) {
        this.hub = hub;
        this.activityOf = activityOf;
        this.recentAlerts = recentAlerts;
        this.mapper = mapper;
        this.responses = responses;
    }

    /** Routes any user may call (on their own behalf). */
    List<Route> userRoutes() {
        return List.of(Route.of(HttpMethod.GET, "/ws/users/{id}/activity", true, this::activity));
    }

    /** Routes only admins may call. */
    List<Route> adminRoutes() {
        return List.of(
                Route.of(HttpMethod.DELETE, "/ws/users/{id}/connections", true, this::disconnectUser),
                Route.of(HttpMethod.DELETE, "/ws/rooms/{id}", true, this::closeRoom),
                Route.of(HttpMethod.GET, "/ws/alerts", true, this::alerts));
    }

    private void alerts(RestCall call) {
        if (!call.identity().isAdmin()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only admins may see the alerts");
        }
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, recentAlerts.get());
    }

    private void activity(RestCall call) {
        String userId = userId(call);
        if (!call.identity().isAdmin() && !call.identity().userId().equals(userId)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only admins may see another user's activity");
        }
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, activityOf.apply(userId));
    }

    private void disconnectUser(RestCall call) {
        String userId = userId(call);
        String reason = closeReason(call);
        CloseReason close = new CloseReason(CloseReason.DISCONNECTED_BY_ADMIN.code(), reason);
        int connections = hub.admin().disconnectUser(call.identity(), userId, close);
        LOG.info("event=user_disconnected user={} by={} connections={} reason=\"{}\"", userId,
                call.identity().userId(), connections, reason);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", userId);
        data.put("connections", connections);
        data.put("code", close.code());
        data.put("reason", reason);
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    private void closeRoom(RestCall call) {
        String roomId = call.pathParameter("id");
        hub.admin().closeRoom(call.identity(), roomId).whenComplete((connections, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                LOG.error("event=rest_error path={}", call.path(), cause);
                responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
                return;
            }
            LOG.info("event=room_closed room={} by={} connections={}", roomId, call.identity().userId(),
                    connections);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("room_id", roomId);
            data.put("connections", connections);
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
        });
    }

    /** Decoded once, with the rest of the path: decoding again would make {@code x%2541y} kick {@code xAy}. */
    private static String userId(RestCall call) {
        return call.pathParameter("id");
    }

    /** The optional {@code reason} of the body, cut to what a close frame can carry; the default otherwise. */
    private String closeReason(RestCall call) {
        if (call.request().content().readableBytes() == 0) {
            return CloseReason.DISCONNECTED_BY_ADMIN.reason();
        }
        JsonNode body;
        try {
            body = mapper.readTree(ByteBufUtil.getBytes(call.request().content()));
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        JsonNode reason = body.get("reason");
        if (reason == null || reason.isNull()) {
            return CloseReason.DISCONNECTED_BY_ADMIN.reason();
        }
        if (!reason.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'reason' must be a string");
        }
        return truncate(reason.textValue().strip());
    }

    /** Cuts text to at most {@link #MAX_CLOSE_REASON_BYTES} bytes of UTF-8 without splitting a character. */
    static String truncate(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= MAX_CLOSE_REASON_BYTES) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_CLOSE_REASON_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }
}
