package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;
import dev.relay.server.config.ProxyConfig;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection's messages, through the publish and rpc proxies, on the connection's event loop (no locks: every
 * method runs there, and answers hop back to it).
 *
 * <p>Order: while a room or private message waits for the publish proxy, the connection's later messages (of any
 * type but {@code rpc}) wait behind it in arrival order, at most {@value #MAX_WAITING}; more are refused with
 * {@code overloaded}. So a slow backend delays this connection's messages, in order, and no other connection's.
 * An {@code rpc} does not wait: its answer names its request ({@code ref}), so answers may come in any order;
 * at most {@value #MAX_RPCS} are in flight per connection.
 */
final class ProxiedInbox implements Inbox {
    static final String RPC = "rpc";
    static final String RPC_RESULT = "rpc_result";
    static final int MAX_WAITING = 100;
    static final int MAX_RPCS = 16;

    private final Hub hub;
    private final Session session;
    private final ProxyConfig publish;
    private final ProxyConfig rpc;
    private final Map<String, String> headers;
    private final ProxyClient client;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final ArrayDeque<ClientMessage> waiting = new ArrayDeque<>();
    /** A message is with the publish proxy; everything after it waits. */
    private boolean publishing;
    private int rpcs;

    ProxiedInbox(Hub hub, Session session, ProxyConfig publish, ProxyConfig rpc, Map<String, String> headers,
                 ProxyClient client, ObjectMapper mapper, Clock clock) {
        this.hub = hub;
        this.session = session;
        this.publish = publish;
        this.rpc = rpc;
        this.headers = headers;
        this.client = client;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Override
    public void onMessage(ClientMessage message) {
        if (rpc.enabled() && RPC.equals(message.type())) {
            rpc(message);
            return;
        }
        if (!publishing && waiting.isEmpty() && !needsPublishProxy(message)) {
            hub.onMessage(session, message); // the common case: nothing in flight, straight through
            return;
        }
        if (waiting.size() >= MAX_WAITING) {
            client.countUnsent("publish", "overloaded");
            hub.sendError(session, new ProtocolException(ErrorCode.OVERLOADED, MAX_WAITING
                    + " messages already wait for the publish proxy; this one was dropped"), message.id());
            return;
        }
        waiting.add(message);
        drain();
    }

    private boolean needsPublishProxy(ClientMessage message) {
        return publish.enabled() && (MessageType.ROOM_MESSAGE.equals(message.type())
                || MessageType.PRIVATE_MESSAGE.equals(message.type()));
    }

    private void drain() {
        while (!publishing && !waiting.isEmpty()) {
            ClientMessage next = waiting.poll();
            if (needsPublishProxy(next)) {
                askPublish(next);
            } else {
                hub.onMessage(session, next);
            }
        }
    }

    private void askPublish(ClientMessage message) {
        publishing = true;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", session.userId());
        body.put("type", message.type());
        if (MessageType.ROOM_MESSAGE.equals(message.type())) {
            body.put("room_id", message.roomId());
        } else {
            body.put("to", message.to());
        }
        body.put("content", message.content());
        body.put("data", json(message.data()));
        body.put("headers", headers(publish));
        client.call("publish", publish, body).thenAccept(answer -> onLoop(() -> {
            publishing = false;
            published(message, answer);
            drain();
        }));
    }

    private void published(ClientMessage message, ProxyAnswer answer) {
        switch (answer) {
            case ProxyAnswer.Result result -> hub.onMessage(session, rewritten(message, result.result()));
            case ProxyAnswer.Refused refused -> refuse(refused.code(), refused.message(), message.id());
            case ProxyAnswer.Unavailable down -> {
                if (publish.failOpen()) {
                    hub.onMessage(session, message);
                } else {
                    hub.sendError(session, new ProtocolException(ErrorCode.UNAVAILABLE,
                            "the message could not be checked (publish proxy unavailable); retry later"), message.id());
                }
            }
        }
    }

    /** The message with the {@code content} and {@code data} the backend replaced; what it left out stays. */
    private static ClientMessage rewritten(ClientMessage message, JsonNode result) {
        if (result == null || !result.isObject()) {
            return message;
        }
        String content = result.has("content") && !result.get("content").isNull()
                ? result.get("content").asText() : message.content();
        RawJson data = result.has("data") && !result.get("data").isNull()
                ? new RawJson(result.get("data").toString()) : message.data();
        return new ClientMessage(message.type(), message.id(), content, message.roomId(), message.to(), data,
                message.control());
    }

    private void rpc(ClientMessage message) {
        if (!hub.chargeFrame(session)) {
            return; // refused by the rate limit, which answered (or closed) already
        }
        if (message.id() == null || message.id().isBlank()) {
            hub.sendError(session, new ProtocolException(ErrorCode.MISSING_FIELD, "an rpc needs an 'id'"), null);
            return;
        }
        JsonNode data = json(message.data());
        if (data == null || !data.path("method").isTextual() || data.path("method").asText().isBlank()) {
            hub.sendError(session, new ProtocolException(ErrorCode.MISSING_FIELD,
                    "an rpc needs data.method, a non-empty string"), message.id());
            return;
        }
        if (rpcs >= MAX_RPCS) {
            client.countUnsent(RPC, "overloaded");
            hub.sendError(session, new ProtocolException(ErrorCode.OVERLOADED, MAX_RPCS
                    + " rpc calls of this connection are already waiting for an answer"), message.id());
            return;
        }
        rpcs++;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", session.userId());
        body.put("method", data.get("method").asText());
        body.put("params", data.has("params") ? data.get("params") : null);
        body.put("headers", headers(rpc));
        String ref = message.id();
        client.call(RPC, rpc, body).thenAccept(answer -> onLoop(() -> {
            rpcs--;
            answerRpc(ref, answer);
        }));
    }

    private void answerRpc(String ref, ProxyAnswer answer) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ref", ref);
        switch (answer) {
            case ProxyAnswer.Result result -> data.put("result", result.result());
            case ProxyAnswer.Refused refused -> data.put("error", error(refused.code(), refused.message()));
            case ProxyAnswer.Unavailable down -> data.put("error", error(ErrorCode.UNAVAILABLE.code(),
                    "the rpc backend did not answer; retry later"));
        }
        hub.send(session, new ServerMessage(null, RPC_RESULT, null, null, null, null, data, clock.instant()));
    }

    /** An {@code error} frame with the backend's own code, which need not be one of Relay's. */
    private void refuse(String code, String content, String ref) {
        Map<String, Object> data = error(code, null);
        if (ref != null) {
            data.put("ref", ref);
        }
        hub.send(session, new ServerMessage(null, MessageType.ERROR, null, null, null, content, data,
                clock.instant()));
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        if (message != null) {
            error.put("message", message);
        }
        return error;
    }

    /** Only this proxy's allowed headers, from those the gate kept for the connection. */
    private Map<String, String> headers(ProxyConfig proxy) {
        Map<String, String> kept = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (proxy.headers().contains(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    private JsonNode json(RawJson raw) {
        if (raw == null) {
            return null;
        }
        try {
            return mapper.readTree(raw.json());
        } catch (IOException e) {
            return null; // the codec only lets valid JSON through as data
        }
    }

    /** Runs an answer on the connection's event loop; a loop that is gone took the connection with it. */
    private void onLoop(Runnable task) {
        try {
            session.connection().executor().execute(() -> {
                if (session.isOpen()) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException shutDown) {
            // Nobody left to answer.
        }
    }
}
