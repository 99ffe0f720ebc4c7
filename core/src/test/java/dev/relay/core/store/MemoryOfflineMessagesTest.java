package dev.relay.core.store;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The in-memory holder of one node against the contract; "another node" is the same holder here. */
class MemoryOfflineMessagesTest extends OfflineMessagesContract {
    private final Map<Integer, MemoryOfflineMessages> byBound = new HashMap<>();

    @Override
    protected OfflineMessages holder(int maxPerUser, Duration ttl, Clock clock) {
        return byBound.computeIfAbsent(maxPerUser, max -> new MemoryOfflineMessages(max, ttl, clock));
    }
}
