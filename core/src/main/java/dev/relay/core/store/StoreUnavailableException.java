package dev.relay.core.store;

/** A store read or maintenance call that could not reach its database; the REST API answers temporarily_unavailable. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
