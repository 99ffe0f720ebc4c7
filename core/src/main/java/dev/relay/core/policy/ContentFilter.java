package dev.relay.core.policy;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.Collection;

/**
 * The message filter: what happens to a message whose {@code content} contains a filtered word. Applied once, before
 * a message is encoded, so no recipient (nor the history) ever holds the unfiltered content.
 */
public final class ContentFilter {
    /** What to do with a match. */
    public enum Action {
        /** Replace every character of every match with {@code *} and deliver. */
        MASK,
        /** Refuse the message with {@code filtered}. */
        REJECT
    }

    /** A filter that lets everything through. */
    public static final ContentFilter NONE = new ContentFilter(WordMatcher.of(java.util.List.of()), Action.MASK);

    private final WordMatcher matcher;
    private final Action action;

    public ContentFilter(WordMatcher matcher, Action action) {
        this.matcher = matcher;
        this.action = action;
    }

    public static ContentFilter of(Collection<String> words, Action action) {
        return new ContentFilter(WordMatcher.of(words), action);
    }

    /** The message as it may be delivered: unchanged, or with its content masked. */
    public ClientMessage apply(ClientMessage message) {
        String content = message.content();
        if (matcher.isEmpty() || content == null || content.isEmpty()) {
            return message;
        }
        if (action == Action.REJECT) {
            if (matcher.matches(content)) {
                throw new ProtocolException(ErrorCode.FILTERED, "the message contains a word this server does not"
                        + " allow; it was not sent");
            }
            return message;
        }
        String masked = matcher.mask(content);
        return masked == content ? message : new ClientMessage(message.type(), message.id(), masked,
                message.roomId(), message.to(), message.data(), message.control());
    }
}
