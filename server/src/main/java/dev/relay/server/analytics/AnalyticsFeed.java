package dev.relay.server.analytics;

import dev.relay.core.Hub;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.websocket.ControlMessages;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admins' live analytics: {@code subscribe_analytics} adds the connection, {@code unsubscribe_analytics} or its
 * end removes it, and every second {@link #send} writes the same encoded {@code analytics} frame to each. Subscribing
 * runs on the connection's event loop and only touches a concurrent set; the overview is computed and sent from the
 * analytics thread ({@code Connection.send} is safe from any thread).
 */
final class AnalyticsFeed implements ControlMessages {
    /** Live subscribers at once; more are refused, so the feed's cost per second stays bounded. */
    static final int MAX_SUBSCRIBERS = 1000;

    private final Hub hub;
    private final boolean enabled;
    private final Set<Session> subscribers = ConcurrentHashMap.newKeySet();

    AnalyticsFeed(Hub hub, boolean enabled) {
        this.hub = hub;
        this.enabled = enabled;
    }

    @Override
    public boolean handle(Session session, ClientMessage message) {
        boolean subscribe = MessageType.SUBSCRIBE_ANALYTICS.equals(message.type());
        if (!subscribe && !MessageType.UNSUBSCRIBE_ANALYTICS.equals(message.type())) {
            return false;
        }
        if (!hub.chargeFrame(session)) {
            return true; // over the rate limit: answered like any other message
        }
        if (!subscribe) {
            subscribers.remove(session);
            return true;
        }
        if (!enabled) {
            hub.sendError(session, new ProtocolException(ErrorCode.FEATURE_DISABLED,
                    "analytics are switched off (analytics_enabled)"), message.id());
        } else if (!session.identity().isAdmin()) {
            hub.sendError(session, new ProtocolException(ErrorCode.FORBIDDEN, "only admins may watch analytics"),
                    message.id());
        } else if (subscribers.size() >= MAX_SUBSCRIBERS && !subscribers.contains(session)) {
            hub.sendError(session, new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "too many analytics subscribers; try again later"), message.id());
        } else {
            subscribers.add(session);
        }
        return true;
    }

    @Override
    public void closed(Session session) {
        subscribers.remove(session);
    }

    boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    /** Sends the overview to every subscriber, encoded once; on the analytics thread. */
    void send(Map<String, Object> overview, JsonCodec codec, Clock clock) {
        EncodedFrame frame = codec.encode(new ServerMessage(null, MessageType.ANALYTICS, null, null, null, null,
                overview, clock.instant()));
        try {
            for (Session session : subscribers) {
                if (session.isOpen()) {
                    session.connection().send(frame);
                } else {
                    subscribers.remove(session);
                }
            }
        } finally {
            frame.release();
        }
    }
}
