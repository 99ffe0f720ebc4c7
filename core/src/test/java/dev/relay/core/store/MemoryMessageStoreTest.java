package dev.relay.core.store;

import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store of a server without persistence against the contract, and its own: conversations bounded in total, not
 * only per pair.
 */
class MemoryMessageStoreTest extends MessageStoreContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    /** The resume history, where the hub keeps room messages and this store reads them. */
    private final MemoryHistoryStore history = new MemoryHistoryStore(100, Duration.ofDays(3650), clock);

    @Override
    protected MessageStore store() {
        return new MemoryMessageStore(history, new MemoryOfflineMessages(10, Duration.ofDays(3650), clock), 10,
                Duration.ofDays(3650), clock);
    }

    @Override
    protected void accept(MessageStore store, ServerMessage message) {
        if (message.roomId() != null) {
            history.append(message);
        }
        super.accept(store, message);
    }

    private MemoryMessageStore store(int maxTotal, long maxBytes) {
        return new MemoryMessageStore(new MemoryHistoryStore(10, Duration.ofHours(1), clock),
                new MemoryOfflineMessages(10, Duration.ofHours(1), clock), 10, maxTotal, maxBytes,
                Duration.ofHours(1), clock);
    }

    private ServerMessage direct(String to) {
        return new ServerMessage("id-" + to, MessageType.PRIVATE_MESSAGE, "mallory", to, null, "hello " + to, null,
                clock.instant());
    }

    @Test
    void conversationsKeepExactlyTheTotalCountAndOneMoreDropsTheOldest() {
        MemoryMessageStore store = store(3, Long.MAX_VALUE);
        store.accepted(direct("u1"));
        store.accepted(direct("u2"));
        store.accepted(direct("u3"));
        assertThat(store.conversationStats().held()).isEqualTo(3);
        assertThat(store.conversation("mallory", "u1", null, 10).messages()).hasSize(1);

        store.accepted(direct("u4"));

        assertThat(store.conversationStats().held()).isEqualTo(3);
        assertThat(store.conversationStats().dropped()).isEqualTo(1);
        assertThat(store.conversation("mallory", "u1", null, 10).messages()).isEmpty();
        assertThat(store.conversation("mallory", "u4", null, 10).messages()).hasSize(1);
    }

    @Test
    void conversationsKeepExactlyTheTotalBytesAndOneByteLessDropsTheOldest() {
        long size = MemoryOfflineMessages.sizeOf(direct("u1"));
        MemoryMessageStore exact = store(100, 3 * size);
        MemoryMessageStore short1 = store(100, 3 * size - 1);
        for (String to : new String[] {"u1", "u2", "u3"}) {
            exact.accepted(direct(to));
            short1.accepted(direct(to));
        }
        assertThat(exact.conversationStats().held()).isEqualTo(3);
        assertThat(short1.conversationStats().held()).isEqualTo(2);
        assertThat(short1.conversation("mallory", "u1", null, 10).messages()).isEmpty();
    }

    @Test
    void theSweepLetsGoOfConversationsPastTheirAge() {
        MemoryMessageStore store = store(100, Long.MAX_VALUE);
        store.accepted(direct("u1"));
        clock.advance(Duration.ofHours(1));
        store.sweep();
        assertThat(store.conversationStats().held()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        store.sweep();
        assertThat(store.conversationStats().held()).isZero();
        assertThat(store.conversationStats().expired()).isEqualTo(1);
    }
}
