package dev.relay.core.identity;

import java.util.Set;

/**
 * Who is on the other end, as the token says: the user id ({@code sub}), a display name, roles, and the private
 * rooms the token grants ({@code rooms} claim). A user id is always taken from here, never from a message.
 */
public record Identity(String userId, String name, Set<String> roles, Set<String> rooms) {
    public static final String ADMIN_ROLE = "admin";
    /** The sender of messages the server itself publishes through the embedding API. */
    public static final Identity SYSTEM = new Identity(UserIds.SYSTEM, "System", Set.of(ADMIN_ROLE));

    public Identity {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("user id must not be blank");
        }
        name = name == null || name.isBlank() ? userId : name;
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        rooms = rooms == null ? Set.of() : Set.copyOf(rooms);
    }

    /** An identity that grants no private rooms. */
    public Identity(String userId, String name, Set<String> roles) {
        this(userId, name, roles, Set.of());
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }
}
