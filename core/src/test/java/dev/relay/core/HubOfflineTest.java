package dev.relay.core;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.OfflineMessages;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offline messages: a private message to a user with no live connection is held and delivered, in order, after the
 * welcome of their next connection, once; the bound drops the oldest with a count; history_ttl expires them.
 */
class HubOfflineTest extends HubTestSupport {

    @Test
    void heldMessagesArriveInOrderAfterTheWelcomeOfTheNextConnectionAndOnlyOnce() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "first", null, "bob", null));
        alice.send(privateMessage("bob", "second"));

        Client bob = connect(loop2, "bob", "support");

        assertThat(bob.types()).startsWith(MessageType.WELCOME, MessageType.OFFLINE_MESSAGES,
                MessageType.PRIVATE_MESSAGE, MessageType.PRIVATE_MESSAGE);
        assertThat(data(bob.messages(MessageType.OFFLINE_MESSAGES).getFirst())).containsEntry("count", 2)
                .containsEntry("dropped", 0L);
        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).extracting(ServerMessage::content, ServerMessage::from)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("first", "alice"),
                        org.assertj.core.groups.Tuple.tuple("second", "alice"));

        Client bobAgain = connect(loop3, "bob", "general");
        assertThat(bobAgain.messages(MessageType.OFFLINE_MESSAGES)).as("delivered once").isEmpty();
    }

    @Test
    void theSendersOtherConnectionsStillSeeTheConversation() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceTab = connect(loop2, "alice", "general");
        clearAll();

        alice.send(privateMessage("bob", "to offline bob"));

        assertThat(aliceTab.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("to offline bob");
    }

    @Test
    void overTheBoundTheOldestAreDroppedAndCounted() {
        build(b -> b.offlineMessages(new MemoryOfflineMessages(2, Duration.ofHours(1), clock)));
        Client alice = connect(loop1, "alice", "general");
        for (int i = 1; i <= 2; i++) {
            alice.send(privateMessage("bob", "a" + i));
        }
        Client bob = connect(loop2, "bob", "general");
        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).as("at the bound").containsExactly("a1", "a2");
        bob.disconnect();

        for (int i = 1; i <= 5; i++) {
            alice.send(privateMessage("bob", "b" + i));
        }
        Client back = connect(loop2, "bob", "general");

        assertThat(back.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("b4", "b5");
        assertThat(data(back.messages(MessageType.OFFLINE_MESSAGES).getFirst())).containsEntry("count", 2)
                .containsEntry("dropped", 3L);
    }

    @Test
    void heldMessagesExpireWithTheHistoryTtl() {
        configure(settings -> settings.historyTtl = Duration.ofMinutes(10));
        Client alice = connect(loop1, "alice", "general");
        alice.send(privateMessage("bob", "stale"));
        clock.advance(Duration.ofMinutes(10).plusMillis(1));
        alice.send(privateMessage("bob", "fresh"));

        Client bob = connect(loop2, "bob", "general");

        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("fresh");
    }

    @Test
    void withOfflineMessagesOffAPrivateMessageToAnOfflineUserIsRefused() {
        build(b -> b.offlineMessages(new MemoryOfflineMessages(0, Duration.ofHours(1), clock)));
        Client alice = connect(loop1, "alice", "general");

        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "hello?", null, "bob", null));

        assertThat(data(alice.singleError())).containsEntry("code", ErrorCode.USER_NOT_ONLINE.code())
                .containsEntry("ref", "p-1");
    }

    @Test
    void aStoreThatAnswersLaterDeliversOnTheLoopAndHoldsAgainWhenTheConnectionIsGone() {
        CompletableFuture<OfflineDelivery> answer = new CompletableFuture<>();
        ServerMessage held = new ServerMessage("h1", MessageType.PRIVATE_MESSAGE, "alice", "bob", null, "held", null,
                START);
        java.util.List<ServerMessage> heldAgain = new java.util.concurrent.CopyOnWriteArrayList<>();
        build(b -> b.offlineMessages(new OfflineMessages() {
            @Override
            public CompletableFuture<Void> hold(ServerMessage message) {
                heldAgain.add(message);
                return null;
            }

            @Override
            public CompletableFuture<OfflineDelivery> release(String userId) {
                return answer;
            }
        }));
        Client bob = connect(loop2, "bob", "general");
        bob.disconnect();

        answer.complete(new OfflineDelivery(List.of(held), 0));
        syncAll();

        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).isEmpty();
        assertThat(heldAgain).containsExactly(held);
    }

    @Test
    void aMessageHeldJustAfterItsRecipientConnectedAndTookWhatWasHeldReachesThatConnection() {
        // A holder that keeps a message only when the test says so: as a database write finishing late.
        MemoryOfflineMessages memory = new MemoryOfflineMessages(10, Duration.ofHours(1), clock);
        java.util.List<Runnable> landings = new java.util.concurrent.CopyOnWriteArrayList<>();
        build(b -> b.offlineMessages(new OfflineMessages() {
            @Override
            public CompletableFuture<Void> hold(ServerMessage message) {
                CompletableFuture<Void> kept = new CompletableFuture<>();
                landings.add(() -> {
                    memory.hold(message);
                    kept.complete(null);
                });
                return kept;
            }

            @Override
            public CompletableFuture<OfflineDelivery> release(String userId) {
                return memory.release(userId);
            }
        }));
        Client alice = connect(loop1, "alice", "general");
        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "just in time", null, "bob", null));
        Client bob = connect(loop2, "bob", "general"); // takes what is held: nothing yet
        syncAll();
        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).isEmpty();

        landings.getFirst().run();
        syncAll();
        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("just in time");
        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("stored_offline", true));
    }
}
