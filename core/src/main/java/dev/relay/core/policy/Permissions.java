package dev.relay.core.policy;

import dev.relay.core.identity.Identity;

import java.util.Set;

/**
 * Who may do what, by role. Each action lists the roles allowed to do it; {@value #ANYONE} allows every
 * authenticated user. Every check goes through here, for WebSocket and REST alike.
 *
 * @param createRooms    roles that may create rooms ({@code POST /ws/rooms})
 * @param broadcast      roles that may send {@code broadcast}
 * @param privateMessage roles that may send {@code private_message}
 * @param deleteRooms    roles that may delete rooms ({@code DELETE /ws/rooms/{id}})
 * @param moderators     roles that may delete other users' messages ({@code delete_message})
 */
public record Permissions(Set<String> createRooms, Set<String> broadcast, Set<String> privateMessage,
                          Set<String> deleteRooms, Set<String> moderators) {
    public static final String ANYONE = "*";
    /** The defaults: admins create rooms and broadcast; everyone may send private messages. */
    public static final Permissions DEFAULT = new Permissions(Set.of(Identity.ADMIN_ROLE), Set.of(Identity.ADMIN_ROLE),
            Set.of(ANYONE), Set.of(Identity.ADMIN_ROLE), Set.of(Identity.ADMIN_ROLE));

    /** Admins moderate. */
    public Permissions(Set<String> createRooms, Set<String> broadcast, Set<String> privateMessage,
                       Set<String> deleteRooms) {
        this(createRooms, broadcast, privateMessage, deleteRooms, Set.of(Identity.ADMIN_ROLE));
    }

    public Permissions {
        moderators = Set.copyOf(moderators);
        createRooms = Set.copyOf(createRooms);
        broadcast = Set.copyOf(broadcast);
        privateMessage = Set.copyOf(privateMessage);
        deleteRooms = Set.copyOf(deleteRooms);
    }

    public boolean mayDeleteRooms(Identity identity) {
        return allowed(deleteRooms, identity);
    }

    public String whoMayDeleteRooms() {
        return describe(deleteRooms);
    }

    /** Deleting other users' messages ({@code moderator_roles}). */
    public boolean mayDeleteMessages(Identity identity) {
        return allowed(moderators, identity);
    }

    public boolean mayCreateRooms(Identity identity) {
        return allowed(createRooms, identity);
    }

    public boolean mayBroadcast(Identity identity) {
        return allowed(broadcast, identity);
    }

    public boolean mayPrivateMessage(Identity identity) {
        return allowed(privateMessage, identity);
    }

    /** The roles of an action, for refusal messages. */
    static String describe(Set<String> roles) {
        return roles.contains(ANYONE) ? "everyone" : "users with the role " + String.join(" or ", roles.stream().sorted().toList());
    }

    private static boolean allowed(Set<String> roles, Identity identity) {
        if (roles.contains(ANYONE)) {
            return true;
        }
        for (String role : identity.roles()) {
            if (roles.contains(role)) {
                return true;
            }
        }
        return false;
    }

    public String whoMayCreateRooms() {
        return describe(createRooms);
    }

    public String whoMayBroadcast() {
        return describe(broadcast);
    }

    public String whoMayPrivateMessage() {
        return describe(privateMessage);
    }

    /** Closing rooms and disconnecting users. */
    public boolean mayModerate(Identity identity) {
        return identity.isAdmin();
    }
}
