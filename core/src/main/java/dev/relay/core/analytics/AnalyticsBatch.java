package dev.relay.core.analytics;

import java.util.List;

/**
 * What one node changed since its last write: the cells with their new absolute values and the users newly active.
 * Writing a batch twice leaves the store as writing it once.
 *
 * @param node the writing node's id for this run of the process
 */
public record AnalyticsBatch(String node, List<MessageCell> messages, List<FigureCell> figures,
                             List<ActiveUser> activeUsers) {
    public AnalyticsBatch {
        messages = List.copyOf(messages);
        figures = List.copyOf(figures);
        activeUsers = List.copyOf(activeUsers);
    }

    public boolean isEmpty() {
        return messages.isEmpty() && figures.isEmpty() && activeUsers.isEmpty();
    }
}
