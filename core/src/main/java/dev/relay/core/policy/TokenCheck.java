package dev.relay.core.policy;

import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.time.Instant;

/**
 * Verifies a token a connected client sends to extend its connection ({@code refresh}). The transport provides it
 * (it knows the keys and the token format); the core only decides what a valid refresh may change.
 */
@FunctionalInterface
public interface TokenCheck {
    /** A verified token: who it is for and until when it is valid. */
    record Checked(Identity identity, Instant expiresAt) {
    }

    /** @throws ProtocolException {@code unauthorized} when the token is not valid */
    Checked check(String token);

    /** What a hub without a check answers: refresh is not available. */
    TokenCheck UNSUPPORTED = token -> {
        throw new ProtocolException(ErrorCode.FEATURE_DISABLED, "this server does not refresh tokens");
    };
}
