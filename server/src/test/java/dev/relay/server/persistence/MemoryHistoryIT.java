package dev.relay.server.persistence;

import java.util.Map;

/** History, search and offline messages without persistence: what memory keeps. */
class MemoryHistoryIT extends HistoryAndOfflineContract {
    @Override
    Map<String, String> settings() {
        return Map.of();
    }
}
