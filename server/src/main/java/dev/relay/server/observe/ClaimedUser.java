package dev.relay.server.observe;

import com.nimbusds.jwt.JWTParser;

import java.text.ParseException;

/**
 * The user a refused token claims to be ({@code sub}), read without verifying it, so an authentication failure
 * can be filed under that user's activity. Only ever used to label a failure, never to grant anything.
 */
final class ClaimedUser {
    private static final int MAX_LENGTH = 128;

    private ClaimedUser() {
    }

    /** The claimed user id, or null when there is no readable one. */
    static String of(String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            return null;
        }
        try {
            String subject = JWTParser.parse(token.strip()).getJWTClaimsSet().getSubject();
            return subject == null || subject.isBlank() || subject.length() > MAX_LENGTH ? null : subject;
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }
}
