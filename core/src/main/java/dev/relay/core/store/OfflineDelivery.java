package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

import java.util.List;

/** What was held for a user: the messages, oldest first, and how many older ones were dropped over the bound. */
public record OfflineDelivery(List<ServerMessage> messages, long dropped) {
    public static final OfflineDelivery NONE = new OfflineDelivery(List.of(), 0);

    public OfflineDelivery {
        messages = List.copyOf(messages);
    }

    public boolean isEmpty() {
        return messages.isEmpty() && dropped == 0;
    }
}
