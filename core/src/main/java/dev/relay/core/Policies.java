package dev.relay.core;

import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.TokenCheck;

/**
 * The rules a hub is built with: who may do what, how refresh tokens are checked, and the content filter. One value
 * shared by the hub and its helpers, fixed when the hub is built.
 */
record Policies(Permissions permissions, TokenCheck tokenCheck, ContentFilter contentFilter) {
    static final Policies DEFAULT = new Policies(Permissions.DEFAULT, TokenCheck.UNSUPPORTED, ContentFilter.NONE);
}
