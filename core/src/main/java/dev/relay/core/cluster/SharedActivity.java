package dev.relay.core.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Which users did something recently on any node, so that a user turns {@code away} automatically only once idle on
 * every node. Each node, once per idle sweep (never per message), records the users active on it since its last
 * sweep, each with how much longer that activity keeps them from being idle; a sweep then asks which of the users
 * idle on it are still active for another node. Times travel as "for how much longer", never as instants, so the
 * nodes' clocks need not agree.
 *
 * <p>Both methods are non-blocking and safe from any thread. Without one installed (a single node) idle detection
 * is the node's own.
 */
public interface SharedActivity {
    /**
     * Records that each user was active here and counts as active for the cluster for the given time from now
     * (positive); a shorter time than another node already recorded for the user does not shorten it. Failures are
     * the engine's to log: a sweep after it records the user's latest activity again.
     */
    void record(Map<String, Duration> activeFor);

    /**
     * Of {@code userIds}, those some node recorded as still active. Fails while the shared store cannot be read; the
     * sweep then decides from this node's activity alone.
     */
    CompletableFuture<Set<String>> active(Collection<String> userIds);

    /**
     * This node turned the user {@code away} automatically, or brought them back {@code online}: true for the first
     * node to claim that change of the user within {@code within}, false for the others, so that exactly one node
     * reports it even when two decide it at once (two sweeps finding the user idle before either hears of the
     * other; activity on two nodes). {@code within} must be shorter than the idle timeout: the same change cannot
     * legitimately happen twice in that time. Fails while the store cannot be reached.
     */
    CompletableFuture<Boolean> claim(String userId, String status, Duration within);
}
