package dev.relay.core.local;

import dev.relay.core.Hub;
import dev.relay.core.cluster.Published;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.identity.Identity;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The sessionless level of the in-process API: sends room messages, private messages and broadcasts as a named
 * identity (a bot, the system, a REST caller) through the same policies, dedup, history and persistence as a
 * socket client, with no connection: nobody sees it arrive (no {@code user_joined}, no online), it holds no delivery
 * lane and nothing needs closing. Room messages follow the identity's memberships (admins may post anywhere). For
 * joining rooms and receiving, use a {@link LocalClient}.
 *
 * <p>A refusal decided at once is thrown as a {@link dev.relay.core.protocol.ProtocolException}; the future is
 * complete unless the ack waits for the message to be kept ({@code ack_after_persist}), and may then fail with one.
 */
public final class LocalSender {
    private final Hub hub;
    private final Identity identity;

    public LocalSender(Hub hub, Identity identity) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    public Identity identity() {
        return identity;
    }

    /**
     * Sends a {@code room_message}, {@code private_message} or {@code broadcast} as given; a message with an
     * {@code id} the same identity sent within the dedup window is answered alike and delivered once.
     */
    public CompletableFuture<Published> send(ClientMessage message) {
        return hub.publish(identity, message);
    }

    public CompletableFuture<Published> publish(String roomId, String content) {
        return send(new ClientMessage(MessageType.ROOM_MESSAGE, null, content, roomId, null, null));
    }

    public CompletableFuture<Published> sendPrivate(String to, String content) {
        return send(new ClientMessage(MessageType.PRIVATE_MESSAGE, null, content, null, to, null));
    }

    public CompletableFuture<Published> broadcast(String content) {
        return send(new ClientMessage(MessageType.BROADCAST, null, content, null, null, null));
    }
}
