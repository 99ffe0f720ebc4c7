package dev.relay.core;

import dev.relay.core.protocol.MessageType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A saturated event loop: the hub refuses messages with {@code overloaded} instead of queueing without bound. */
class HubOverloadTest extends HubTestSupport {
    private static final int LIMIT = 4;

    @Test
    void aRoomMessageIsRefusedWhileAMembersLoopIsOverItsQueueLimit() {
        configure(settings -> settings.laneQueueLimit = LIMIT);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        CountDownLatch loop2Busy = loop2.block();

        for (int i = 0; i < LIMIT; i++) {
            alice.sendNoSync(roomMessage("general", "m" + i));
        }
        alice.sendNoSync(roomMessage("over", "general", "one too many"));
        loop1.sync();

        assertError(alice.singleError(), "overloaded", "over");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).as("a refused message reaches no one, not even its sender")
                .containsExactlyElementsOf(IntStream.range(0, LIMIT).mapToObj(i -> "m" + i).toList());
        assertThat(alice.connection.closeReason()).isNull();

        alice.clear();
        alice.sendNoSync(privateMessage("bob", "psst"));
        loop1.sync();
        assertError(alice.singleError(), "overloaded", null);

        loop2Busy.countDown();
        syncAll();
        assertThat(bob.contents(MessageType.ROOM_MESSAGE))
                .containsExactlyElementsOf(IntStream.range(0, LIMIT).mapToObj(i -> "m" + i).toList());
        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).isEmpty();
        assertThat(HubConnectionTest.room(hub().queries().stats(), "general").messageCount()).isEqualTo(LIMIT);
        assertThat(hub().queries().stats().totalMessages()).isEqualTo(LIMIT);

        alice.clear();
        alice.send(roomMessage("general", "drained"));
        assertThat(alice.errors()).isEmpty();
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).last().isEqualTo("drained");
    }
}
