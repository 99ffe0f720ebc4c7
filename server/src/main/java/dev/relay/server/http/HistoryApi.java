package dev.relay.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.identity.UserIds;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.protocol.Timestamps;
import dev.relay.core.room.RoomIds;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.SearchHit;
import dev.relay.core.store.SearchQuery;
import dev.relay.core.store.StoreUnavailableException;
import dev.relay.server.persistence.Persistence;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * History and search: a room's messages, a private conversation, and full-text search over what the caller may read.
 * The store is read on {@link Persistence#read}'s bounded executor, never on the event loop; the answer is written
 * when the read completes.
 */
public final class HistoryApi {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryApi.class);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_QUERY_LENGTH = 200;

    private final Hub hub;
    private final Persistence persistence;
    private final ObjectMapper mapper;
    private final HttpResponses responses;

    public HistoryApi(Hub hub, Persistence persistence, ObjectMapper mapper, HttpResponses responses) {
        this.hub = hub;
        this.persistence = persistence;
        this.mapper = mapper;
        this.responses = responses;
    }

    List<Route> routes() {
        return List.of(
                Route.of(HttpMethod.GET, "/ws/rooms/{id}/messages", true, this::roomMessages),
                Route.of(HttpMethod.GET, "/ws/users/{id}/messages", true, this::conversation),
                Route.of(HttpMethod.GET, "/ws/messages/search", true, this::search));
    }

    private void roomMessages(RestCall call) {
        String roomId = call.pathParameter("id");
        if (!RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id: " + RoomIds.RULE);
        }
        StreamPosition position = hub.queries().roomPosition(roomId).orElseThrow(() -> RoomRegistry.notFound(roomId));
        Identity caller = call.identity();
        hub.queries().roomAccess().requireEntry(caller, roomId); // before "join it first", which would say the room exists
        // A member who is offline reads it too; membership never widens a private room's access list (checked above).
        if (!caller.isAdmin() && !hub.queries().isMember(roomId, caller.userId())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only members of room '" + roomId
                    + "' and admins may read its history; join it first");
        }
        Long beforeSeq = longParameter(call, "before_seq");
        int limit = limit(call);
        MessageStore store = persistence.store();
        answer(call, persistence.read(() -> store.roomMessages(roomId, position.epoch(), beforeSeq, limit)));
    }

    private void conversation(RestCall call) {
        String userId = call.pathParameter("id");
        String with = parameter(call, "with");
        if (with == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "'with' names the other user of the conversation");
        }
        if (!UserIds.isValid(userId) || !UserIds.isValid(with)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "not a valid user id: " + UserIds.RULE);
        }
        Identity caller = call.identity();
        if (!caller.isAdmin() && !caller.userId().equals(userId) && !caller.userId().equals(with)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only its two users and admins may read a conversation");
        }
        Instant before = instantParameter(call, "before");
        int limit = limit(call);
        MessageStore store = persistence.store();
        answer(call, persistence.read(() -> store.conversation(userId, with, before, limit)));
    }

    private void search(RestCall call) {
        String text = parameter(call, "q");
        if (text == null || text.isBlank()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "'q' is the text to search for");
        }
        text = text.strip();
        if (text.codePointCount(0, text.length()) > MAX_QUERY_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'q' may have at most " + MAX_QUERY_LENGTH
                    + " characters");
        }
        String roomId = parameter(call, "room_id");
        if (roomId != null && !RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id: " + RoomIds.RULE);
        }
        String from = parameter(call, "from");
        if (from != null && !UserIds.isValid(from)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'from' is not a valid user id: " + UserIds.RULE);
        }
        Instant since = instantParameter(call, "since");
        Instant until = instantParameter(call, "until");
        int limit = limit(call);
        Identity caller = call.identity();
        // The rooms the caller is a member of, connected or not: a user never finds a room message they could not
        // read by joining.
        SearchQuery query = new SearchQuery(text, roomId, from, since, until, limit + 1, caller.userId(),
                caller.isAdmin() ? null : readableRooms(caller));
        MessageStore store = persistence.store();
        CompletableFuture<List<SearchHit>> hits = persistence.read(() -> store.search(query));
        hits.whenComplete((found, failure) -> {
            if (failure != null) {
                fail(call, failure);
                return;
            }
            List<Map<String, Object>> messages = new ArrayList<>();
            for (SearchHit hit : found.subList(0, Math.min(limit, found.size()))) {
                Map<String, Object> json = json(hit.message());
                json.put("highlight", hit.highlight());
                messages.add(json);
            }
            ok(call, messages, found.size() > limit);
        });
    }

    private java.util.Set<String> readableRooms(Identity caller) {
        java.util.Set<String> rooms = new HashSet<>(hub.queries().memberRooms(caller.userId()));
        rooms.removeIf(roomId -> !hub.queries().roomAccess().mayEnter(caller, roomId));
        return rooms;
    }

    private void answer(RestCall call, CompletableFuture<MessageStore.Page> page) {
        page.whenComplete((found, failure) -> {
            if (failure != null) {
                fail(call, failure);
                return;
            }
            ok(call, found.messages().stream().map(this::json).toList(), found.hasMore());
        });
    }

    private void ok(RestCall call, List<Map<String, Object>> messages, boolean hasMore) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("messages", messages);
        data.put("has_more", hasMore);
        responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
    }

    private void fail(RestCall call, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProtocolException refused) {
            responses.error(call.ctx(), call.keepAlive(), refused);
        } else if (cause instanceof StoreUnavailableException unavailable) {
            LOG.warn("event=store_read_failed path={} error=\"{}\"", call.path(), unavailable.getMessage());
            responses.error(call.ctx(), call.keepAlive(), ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "the message store cannot be read right now; retry later");
        } else {
            LOG.error("event=rest_error path={}", call.path(), cause);
            responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
        }
    }

    /** A stored message as the WebSocket carries it. */
    private Map<String, Object> json(ServerMessage message) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", message.id());
        json.put("type", message.type());
        putIfPresent(json, "from", message.from());
        putIfPresent(json, "to", message.to());
        putIfPresent(json, "room_id", message.roomId());
        if (message.seq() != null) {
            json.put("seq", message.seq());
            putIfPresent(json, "epoch", message.epoch());
        }
        putIfPresent(json, "content", message.content());
        if (message.data() instanceof RawJson raw) {
            try {
                json.put("data", mapper.readTree(raw.json()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored data is not JSON", e);
            }
        } else if (message.data() != null) {
            json.put("data", message.data());
        }
        json.put("timestamp", Timestamps.format(message.timestamp()));
        return json;
    }

    private static void putIfPresent(Map<String, Object> json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }

    private static String parameter(RestCall call, String name) {
        List<String> values = call.query().parameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    private static int limit(RestCall call) {
        Long limit = longParameter(call, "limit");
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'limit' must be 1 to " + MAX_LIMIT);
        }
        return limit.intValue();
    }

    private static Long longParameter(RestCall call, String name) {
        String value = parameter(call, name);
        if (value == null) {
            return null;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + name + "' must be a whole number >= 0");
        }
    }

    private static Instant instantParameter(RestCall call, String name) {
        String value = parameter(call, name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + name
                    + "' must be an ISO-8601 instant such as 2026-03-01T08:00:00Z");
        }
    }
}
