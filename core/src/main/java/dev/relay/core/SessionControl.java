package dev.relay.core;

import dev.relay.core.policy.TokenCheck;
import dev.relay.core.presence.Presence;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;

/**
 * The control messages that change a session itself rather than its rooms: {@code refresh} (a new token extends the
 * connection) and {@code status} (the user picks online, away or busy). The token check comes from the hub's
 * {@link Policies}. Every method runs on the session's executor.
 */
final class SessionControl {
    private final Policies policies;
    private final Presence presence;
    private final UserDirectory users;
    private final Replies replies;

    SessionControl(Policies policies, Presence presence, UserDirectory users, Replies replies) {
        this.policies = policies;
        this.presence = presence;
        this.users = users;
        this.replies = replies;
    }

    /**
     * A new token for the same user extends the connection to its {@code exp}. The identity (roles included) stays
     * the one the connection was opened with: changing who a live connection is would need every check redone.
     */
    void refreshToken(Session session, ClientMessage message) {
        if (!(message.control().get("token") instanceof String token) || token.isBlank()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "refresh needs data.token, the new token");
        }
        TokenCheck.Checked checked = policies.tokenCheck().check(token);
        if (!checked.identity().userId().equals(session.userId())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "the new token is for another user; a connection keeps the user it was opened with");
        }
        if (checked.expiresAt().isAfter(session.tokenExpiresAt())) {
            session.tokenExpiresAt(checked.expiresAt());
        }
        replies.send(session, replies.reply(MessageType.REFRESHED, null, message.id(),
                "expires_at", session.tokenExpiresAt().toString()));
    }

    void chooseStatus(Session session, ClientMessage message) {
        String wanted = message.content();
        UserStatus status = UserStatus.choosable(wanted).orElseThrow(() -> new ProtocolException(
                ErrorCode.INVALID_FIELD, "status must be online, away or busy, not '" + wanted + "'"));
        presence.choose(session.userId(), status);
        replies.send(session, replies.reply(MessageType.STATUS, null, message.id(),
                "status", users.status(session.userId()).wireName()));
    }
}
