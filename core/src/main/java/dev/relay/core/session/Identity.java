package dev.relay.core.session;

import java.util.Set;

/**
 * Who is on the other end, as the token says: the user id ({@code sub}), a display name and roles. A user id is
 * always taken from here, never from a message.
 */
public record Identity(String userId, String name, Set<String> roles) {
    public static final String ADMIN_ROLE = "admin";
    /** The sender of messages the server itself publishes through the embedding API. */
    public static final Identity SYSTEM = new Identity("system", "System", Set.of(ADMIN_ROLE));

    public Identity {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("user id must not be blank");
        }
        name = name == null || name.isBlank() ? userId : name;
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }
}
