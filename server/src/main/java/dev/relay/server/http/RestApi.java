package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.HubStats;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.Published;
import dev.relay.core.local.LocalSender;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.Timestamps;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.session.UserInfo;
import dev.relay.core.store.OfflineStats;
import dev.relay.server.codec.JsonCodec;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The seed's REST API under {@code /ws/...}, every answer in its envelope. */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final Hub hub;
    private final JsonCodec codec;
    private final ObjectMapper mapper;
    private final HttpResponses responses;
    private final int maxMessageBytes;
    private final List<Route> routes;
    private final byte[] openApi;
    private final byte[] indexPage;
    private final Map<String, String> indexPolicy;
    private final byte[] clientScript;
    private final byte[] clientTypes;

    public RestApi(Hub hub, JsonCodec codec, HttpResponses responses, int maxMessageBytes) {
        this.hub = hub;
        this.codec = codec;
        this.mapper = codec.mapper();
        this.responses = responses;
        this.maxMessageBytes = maxMessageBytes;
        this.openApi = resource("/openapi.json");
        this.indexPage = resource("/index.html");
        this.indexPolicy = Map.of(HttpHeaderNames.CONTENT_SECURITY_POLICY.toString(),
                ContentSecurity.forPage(indexPage));
        this.clientScript = resource("/web/client.js");
        this.clientTypes = resource("/web/client.d.ts");
        this.routes = List.of(
                Route.of(HttpMethod.GET, "/", false, this::index),
                Route.of(HttpMethod.GET, "/ws/openapi.json", false, this::openApi),
                Route.of(HttpMethod.GET, "/ws/client.js", false, call -> responses.send(call.ctx(), call.keepAlive(),
                        HttpResponseStatus.OK, "text/javascript; charset=utf-8", clientScript)),
                Route.of(HttpMethod.GET, "/ws/client.d.ts", false, call -> responses.send(call.ctx(), call.keepAlive(),
                        HttpResponseStatus.OK, "application/typescript; charset=utf-8", clientTypes)),
                Route.of(HttpMethod.GET, "/ws/rooms", true, this::listRooms),
                Route.of(HttpMethod.POST, "/ws/rooms", true, this::createRoom),
                Route.of(HttpMethod.POST, "/ws/rooms/{id}/join", true, call -> moveUser(call, true)),
                Route.of(HttpMethod.POST, "/ws/rooms/{id}/leave", true, call -> moveUser(call, false)),
                Route.of(HttpMethod.POST, "/ws/messages", true, this::sendMessage),
                Route.of(HttpMethod.GET, "/ws/rooms/{id}/members", true, this::roomMembers),
                Route.of(HttpMethod.GET, "/ws/users/online", true, this::onlineUsers),
                Route.of(HttpMethod.GET, "/ws/users/{id}", true, this::user),
                Route.of(HttpMethod.GET, "/ws/stats", true, this::stats));
    }

    /** The seed's routes, for the public port's {@link Router}. */
    List<Route> routes() {
        return routes;
    }

    private void index(RestCall call) {
        responses.send(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, "text/html; charset=utf-8", indexPage,
                indexPolicy);
    }

    private void openApi(RestCall call) {
        responses.send(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, "application/json; charset=utf-8", openApi);
    }

    private void listRooms(RestCall call) {
        // In a cluster the counts come from the engine: answered when they arrive, off the event loop.
        hub.queries().clusterRoomInfos().whenComplete((infos, failure) -> {
            if (failure != null) {
                internalError(call, failure);
                return;
            }
            // Private rooms are listed only to those who may enter them.
            List<Map<String, Object>> rooms = infos.stream()
                    .filter(info -> hub.queries().roomAccess().mayEnter(call.identity(), info.id()))
                    .map(info -> room(info, hub.queries().roomAccess().isPrivate(info.id()))).toList();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("rooms", rooms);
            data.put("total", rooms.size());
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
        });
    }

    private void internalError(RestCall call, Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        LOG.error("event=rest_error path={}", call.path(), cause);
        responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
    }

    private void createRoom(RestCall call) {
        JsonNode body = jsonObject(call);
        RoomSpec spec = new RoomSpec(text(body, "id"), text(body, "name"), text(body, "description"));
        boolean isPrivate = flag(body, "private");
        // In a cluster the answer waits for the broker to claim the id, so no two nodes create the same room.
        hub.admin().createRoomAsync(call.identity(), spec, isPrivate, members(body)).whenComplete((created, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof ProtocolException refused) {
                    responses.error(call.ctx(), call.keepAlive(), refused);
                } else {
                    internalError(call, cause);
                }
                return;
            }
            LOG.info("event=room_created room={} by={} private={}", created.id(), call.identity().userId(),
                    isPrivate);
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.CREATED, room(created, isPrivate));
        });
    }

    private static boolean flag(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be true or false");
        }
        return value.booleanValue();
    }

    /** The {@code members} of a private room: user ids; a public room ignores them. */
    private static java.util.Set<String> members(JsonNode body) {
        JsonNode value = body.get("members");
        if (value == null || value.isNull()) {
            return java.util.Set.of();
        }
        if (!value.isArray() || value.size() > 10_000) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'members' must be an array of at most 10000 user ids");
        }
        java.util.Set<String> members = new java.util.HashSet<>();
        for (JsonNode member : value) {
            if (!member.isTextual()) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "'members' must hold user ids (strings)");
            }
            members.add(member.textValue());
        }
        return members;
    }

    private void moveUser(RestCall call, boolean join) {
        String roomId = call.pathParameter("id");
        String userId = call.identity().userId();
        if (hub.queries().roomExists(roomId)) { // leaving too: "0 connections left" would tell a stranger the room exists
            hub.queries().roomAccess().requireEntry(call.identity(), roomId);
        }
        CompletableFuture<Integer> moved = join ? hub.admin().joinUser(userId, roomId) : hub.admin().leaveUser(userId, roomId);
        moved.whenComplete((count, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                LOG.error("event=rest_error path={}", call.path(), cause);
                responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("room_id", roomId);
            data.put("user_id", userId);
            data.put("connections", count);
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
        });
    }

    private void sendMessage(RestCall call) {
        int size = call.request().content().readableBytes();
        if (size > maxMessageBytes) {
            throw new ProtocolException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "the message has " + size + " bytes; the limit is " + maxMessageBytes);
        }
        ClientMessage message = codec.decode(call.request().content());
        // The sessionless in-process sender: the caller speaks as itself without a connection (no presence, no lane).
        new LocalSender(hub, call.identity()).send(message).whenComplete((published, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof ProtocolException refused) {
                    responses.error(call.ctx(), call.keepAlive(), refused);
                    return;
                }
                LOG.error("event=rest_error path={}", call.path(), cause);
                responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
                return;
            }
            answerPublished(call, message, published);
        });
    }

    private void answerPublished(RestCall call, ClientMessage message, Published published) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", published.id());
        data.put("type", message.type());
        if (message.roomId() != null) {
            data.put("room_id", message.roomId());
        }
        if (message.to() != null) {
            data.put("to", message.to());
        }
        if (published.seq() != null) {
            data.put("seq", published.seq());
        }
        if (published.storedOffline()) {
            data.put("stored_offline", true);
        }
        data.put("timestamp", Timestamps.format(published.timestamp()));
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    private void roomMembers(RestCall call) {
        String roomId = call.pathParameter("id");
        if (hub.queries().roomExists(roomId)) {
            hub.queries().roomAccess().requireEntry(call.identity(), roomId);
        }
        hub.queries().clusterMembers(roomId).whenComplete((infos, failure) -> {
            if (failure != null) {
                internalError(call, failure);
                return;
            }
            List<Map<String, Object>> members = infos.stream().map(info -> {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("user_id", info.member().userId());
                member.put("name", info.member().name());
                member.put("status", info.status().wireName());
                member.put("connections", info.member().connections());
                member.put("joined_at", Timestamps.format(info.member().joinedAt()));
                return member;
            }).toList();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("room_id", roomId);
            data.put("members", members);
            data.put("total", members.size());
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
        });
    }

    private void user(RestCall call) {
        UserInfo user = hub.queries().user(call.pathParameter("id"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", user.userId());
        data.put("name", user.name());
        data.put("status", user.status().wireName());
        data.put("connections", user.connections());
        // Private rooms the caller may not enter are not revealed, not even by name.
        data.put("rooms", user.rooms().stream()
                .filter(roomId -> hub.queries().roomAccess().mayEnter(call.identity(), roomId)).sorted().toList());
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    private void onlineUsers(RestCall call) {
        Map<String, Object> data = new LinkedHashMap<>();
        // In a cluster: every node's users, as of the last presence heartbeat.
        data.put("online_users", hub.queries().clusterCounts().map(PresenceStore.ClusterCounts::onlineUsers)
                .orElseGet(hub.queries()::onlineUsers));
        data.put("timestamp", Timestamps.format(hub.clock().instant()));
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    private void stats(RestCall call) {
        HubStats stats = hub.queries().stats();
        hub.queries().clusterRoomInfos().whenComplete((infos, failure) -> {
            if (failure != null) {
                internalError(call, failure);
                return;
            }
            stats(call, stats, infos);
        });
    }

    private void stats(RestCall call, HubStats stats, List<RoomInfo> infos) {
        Map<String, Object> rooms = new LinkedHashMap<>();
        for (RoomInfo room : infos) {
            if (!hub.queries().roomAccess().mayEnter(call.identity(), room.id())) {
                continue; // private, and not the caller's: not even its name
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", room.name());
            entry.put("client_count", room.clientCount());
            entry.put("message_count", room.messageCount());
            rooms.put(room.id(), entry);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("total_rooms", stats.totalRooms());
        data.put("online_users", hub.queries().clusterCounts().map(PresenceStore.ClusterCounts::onlineUsers)
                .orElse(stats.onlineUsers()));
        data.put("total_connections", hub.queries().clusterCounts().map(PresenceStore.ClusterCounts::connections)
                .orElse(stats.connections()));
        data.put("total_messages", stats.totalMessages());
        data.put("slow_consumers", stats.slowConsumers());
        OfflineStats offline = hub.queries().offlineStats();
        Map<String, Object> held = new LinkedHashMap<>();
        held.put("held", offline.held());
        held.put("held_bytes", offline.heldBytes());
        held.put("dropped", offline.dropped());
        held.put("expired", offline.expired());
        data.put("offline_messages", held);
        data.put("rooms", rooms);
        data.put("timestamp", Timestamps.format(stats.timestamp()));
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    /** A room as the API shows it; {@code private: true} only on private rooms. */
    private static Map<String, Object> room(RoomInfo room, boolean isPrivate) {
        Map<String, Object> map = room(room);
        if (isPrivate) {
            map.put("private", true);
        }
        return map;
    }

    private static Map<String, Object> room(RoomInfo room) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", room.id());
        map.put("name", room.name());
        map.put("description", room.description());
        map.put("client_count", room.clientCount());
        map.put("message_count", room.messageCount());
        map.put("created_at", Timestamps.format(room.createdAt()));
        return map;
    }

    private JsonNode jsonObject(RestCall call) {
        String type = call.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        JsonNode node;
        try {
            node = mapper.readTree(ByteBufUtil.getBytes(call.request().content()));
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON,
                    "the body must be a JSON object" + (type == null ? "" : " (got " + type + ")"));
        }
        return node;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string");
        }
        return value.textValue();
    }

    static byte[] resource(String name) {
        try (InputStream in = RestApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
