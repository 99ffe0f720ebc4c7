package dev.relay.core.policy;

import dev.relay.core.session.Identity;

/** Who may do what. Today the {@code admin} role is the only privilege; every check goes through here. */
public final class Permissions {
    public boolean mayCreateRooms(Identity identity) {
        return identity.isAdmin();
    }

    public boolean mayBroadcast(Identity identity) {
        return identity.isAdmin();
    }

    /** Closing rooms and disconnecting users. */
    public boolean mayModerate(Identity identity) {
        return identity.isAdmin();
    }
}
