package dev.relay.core;

import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.TokenCheck;

/**
 * The rules a hub is built with: who may do what, how refresh tokens are checked, and what may change while it runs
 * (the content filter among them). One value shared by the hub and its helpers.
 */
record Policies(Permissions permissions, TokenCheck tokenCheck, LiveSettings live) {
    /** The filter of this moment: a reload may replace it between two messages. */
    ContentFilter contentFilter() {
        return live.contentFilter();
    }
}
