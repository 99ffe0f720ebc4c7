package dev.relay.core;

import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.TokenCheck;

/**
 * The rules installed on a running hub after construction: who may do what, how refresh tokens are checked, and the
 * content filter. They live here, in volatile fields, rather than in each class that applies them, so that
 * {@link Hub}'s setters take effect at once everywhere: the hub and its helpers share this one object by reference
 * and read it on every use instead of copying a value at construction.
 */
final class Policies {
    private volatile Permissions permissions = Permissions.DEFAULT;
    private volatile TokenCheck tokenCheck = TokenCheck.UNSUPPORTED;
    private volatile ContentFilter contentFilter = ContentFilter.NONE;

    Permissions permissions() {
        return permissions;
    }

    void permissions(Permissions permissions) {
        this.permissions = permissions;
    }

    TokenCheck tokenCheck() {
        return tokenCheck;
    }

    void tokenCheck(TokenCheck tokenCheck) {
        this.tokenCheck = tokenCheck;
    }

    ContentFilter contentFilter() {
        return contentFilter;
    }

    void contentFilter(ContentFilter contentFilter) {
        this.contentFilter = contentFilter;
    }
}
