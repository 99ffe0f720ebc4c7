package dev.relay.core.cluster;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Retried client message ids recognised across the cluster for the messages no shared stream deduplicates (private
 * messages and broadcasts; room messages are recognised by their stream). A client that loses its connection
 * after sending, reconnects to another node and sends again with the same id gets the first attempt's outcome, and
 * the message is delivered once. Each node still answers retries it saw itself from its own ledger first.
 *
 * <p>Every method is non-blocking and safe from any thread; what needs the network answers with a future that fails
 * with a {@link dev.relay.core.protocol.ProtocolException} the hub can send to the client.
 */
public interface SharedRetries {
    /**
     * Claims {@code retryKey} for a first attempt. Completes with empty when the caller is the first and must place
     * the message (then {@link #settle} or {@link #abandon} it), or with the outcome an earlier attempt settled.
     * Fails with {@code temporarily_unavailable} while an earlier attempt on another node is still under way.
     */
    CompletableFuture<Optional<Published>> claim(String retryKey);

    /** Records the outcome of the attempt that claimed the key, for retries within the dedup window. */
    void settle(String retryKey, Published outcome);

    /** Forgets a claim whose attempt was refused, so a retry is handled afresh. */
    void abandon(String retryKey);
}
