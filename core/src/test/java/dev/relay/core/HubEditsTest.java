package dev.relay.core;

import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.protocol.Timestamps;
import dev.relay.core.store.MemoryMessageStore;
import dev.relay.core.store.MemoryOfflineMessages;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code edit_message} ({@link Edits}): the author only, within the edit window (its last instant included), checked
 * against the kept copy; the update reaches the message's audience and the kept text changes.
 */
class HubEditsTest extends HubTestSupport {
    private static final Duration WINDOW = Duration.ofHours(1);
    private MemoryMessageStore store;

    @Override
    void building(Hub.Builder builder) {
        MemoryHistoryStore history = new MemoryHistoryStore(100, Duration.ofDays(7), clock);
        store = new MemoryMessageStore(history, new MemoryOfflineMessages(10, Duration.ofDays(7), clock), 100,
                Duration.ofDays(7), clock);
        builder.history(history).messageStore(store).editWindow(WINDOW).editLookups(Runnable::run);
    }

    static ClientMessage edit(String ref, String roomId, String to, String messageId, String content) {
        return new ClientMessage(MessageType.EDIT_MESSAGE, ref, content, roomId, to,
                new RawJson("{\"id\":\"" + messageId + "\"}"), messageId == null ? Map.of() : Map.of("id", messageId));
    }

    @Test
    void theAuthorsEditReachesTheRoomWithEditedAtAndIsKept() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        alice.send(roomMessage("general", "helo"));
        ServerMessage sent = bob.messages(MessageType.ROOM_MESSAGE).getFirst();
        clearAll();
        clock.advance(Duration.ofMinutes(5));

        alice.send(edit("e1", "general", null, sent.id(), "hello"));

        for (Client member : List.of(alice, bob)) {
            assertThat(member.messages()).as(member.toString()).singleElement().satisfies(update -> {
                assertThat(update.type()).isEqualTo(MessageType.MESSAGE_UPDATE);
                assertThat(update.id()).isEqualTo(sent.id());
                assertThat(update.roomId()).isEqualTo("general");
                assertThat(update.content()).isEqualTo("hello");
                assertThat(((RawJson) update.data()).json())
                        .isEqualTo("{\"edited_at\":\"" + Timestamps.format(clock.instant()) + "\"}");
            });
        }
        assertThat(carol.messages()).isEmpty();
        assertThat(store.message(sent.id())).hasValueSatisfying(kept -> {
            assertThat(kept.content()).isEqualTo("hello");
            assertThat(kept.timestamp()).isEqualTo(sent.timestamp());
        });
    }

    @Test
    void someoneElsesEditIsForbiddenAndChangesNothing() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.send(roomMessage("general", "mine"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();
        clearAll();

        bob.send(edit("e2", "general", null, id, "yours now"));

        assertError(bob.singleError(), "forbidden", "e2");
        assertThat(alice.messages()).isEmpty();
        assertThat(store.message(id).orElseThrow().content()).isEqualTo("mine");
    }

    @Test
    void theWindowsLastInstantIsAllowedAndTheNextIsForbidden() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(roomMessage("general", "v1"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();
        clearAll();

        clock.advance(WINDOW);
        alice.send(edit("in", "general", null, id, "v2"));
        assertThat(alice.errors()).isEmpty();
        assertThat(alice.contents(MessageType.MESSAGE_UPDATE)).containsExactly("v2");

        clock.advance(Duration.ofMillis(1));
        alice.send(edit("late", "general", null, id, "v3"));
        assertError(alice.singleError(), "forbidden", "late");
        assertThat(store.message(id).orElseThrow().content()).isEqualTo("v2");
    }

    @Test
    void anUnknownIdOrOneFromAnotherRoomIsNotFound() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom(null, "support"));
        alice.send(roomMessage("support", "elsewhere"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();
        clearAll();

        alice.send(edit("unknown", "general", null, "no-such-id", "x"));
        assertError(alice.singleError(), "not_found", "unknown");
        alice.clear();
        alice.send(edit("wrong-room", "general", null, id, "x"));
        assertError(alice.singleError(), "not_found", "wrong-room");
    }

    @Test
    void anEditWithoutIdOrContentIsAMissingField() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(edit("no-id", "general", null, null, "x"));
        assertError(alice.singleError(), "missing_field", "no-id");
        alice.clear();
        alice.send(edit("no-content", "general", null, "some-id", null));
        assertError(alice.singleError(), "missing_field", "no-content");
    }

    @Test
    void aPrivateEditReachesBothSidesAndOnlyTheSenderMayMakeIt() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        alice.send(privateMessage("bob", "hi bbo"));
        String id = bob.messages(MessageType.PRIVATE_MESSAGE).getFirst().id();
        clearAll();

        bob.send(edit("theirs", null, "alice", id, "hi"));
        assertError(bob.singleError(), "forbidden", "theirs");
        bob.clear();

        alice.send(edit("mine", null, "bob", id, "hi bob"));
        for (Client party : List.of(alice, bob)) {
            assertThat(party.messages()).as(party.toString()).singleElement().satisfies(update -> {
                assertThat(update.type()).isEqualTo(MessageType.MESSAGE_UPDATE);
                assertThat(update.to()).isEqualTo("bob");
                assertThat(update.content()).isEqualTo("hi bob");
            });
        }
        assertThat(carol.messages()).isEmpty();
        assertThat(store.message(id).orElseThrow().content()).isEqualTo("hi bob");

        carol.send(edit("outsider", null, "bob", id, "x"));
        assertError(carol.singleError(), "not_found", "outsider");
    }

    static ClientMessage delete(String ref, String roomId, String to, String messageId) {
        return new ClientMessage(MessageType.DELETE_MESSAGE, ref, null, roomId, to,
                new RawJson("{\"id\":\"" + messageId + "\"}"), Map.of("id", messageId));
    }

    @Test
    void theAuthorDeletesForTheWholeRoomAndTheContentIsGoneFromHistoryAndSearch() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        alice.send(roomMessage("general", "regrettable words"));
        String id = bob.messages(MessageType.ROOM_MESSAGE).getFirst().id();
        clearAll();
        clock.advance(Duration.ofDays(3)); // no window for deleting

        alice.send(delete("d1", "general", null, id));

        for (Client member : List.of(alice, bob)) {
            assertThat(member.messages()).as(member.toString()).singleElement().satisfies(deleted -> {
                assertThat(deleted.type()).isEqualTo(MessageType.MESSAGE_DELETED);
                assertThat(deleted.id()).isEqualTo(id);
                assertThat(deleted.roomId()).isEqualTo("general");
                assertThat(deleted.content()).isNull();
            });
        }
        assertThat(carol.messages()).isEmpty();
        ServerMessage kept = store.message(id).orElseThrow();
        assertThat(kept.content()).isNull();
        assertThat(Updates.isDeleted(kept)).isTrue();
        assertThat(store.search(new dev.relay.core.store.SearchQuery("regrettable", null, null, null, null, 10,
                "root", null))).isEmpty();

        alice.send(edit("after", "general", null, id, "undo"));
        assertError(alice.singleError(), "not_found", "after");
    }

    @Test
    void someoneElsesMessageIsForbiddenToDeleteUnlessTheyModerate() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client admin = connect(loop3, admin("root"), "general");
        alice.send(roomMessage("general", "spam"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();
        clearAll();

        bob.send(delete("bob-d", "general", null, id));
        assertError(bob.singleError(), "forbidden", "bob-d");
        assertThat(store.message(id).orElseThrow().content()).isEqualTo("spam");

        admin.send(delete("mod-d", "general", null, id));
        assertThat(admin.errors()).isEmpty();
        assertThat(alice.messages(MessageType.MESSAGE_DELETED)).extracting(ServerMessage::id).containsExactly(id);
        assertThat(store.message(id).orElseThrow().content()).isNull();
    }

    @Test
    void moderatorRolesNameWhoMayDeleteOthersMessages() {
        build(b -> b.permissions(new dev.relay.core.policy.Permissions(java.util.Set.of("admin"),
                java.util.Set.of("admin"), java.util.Set.of("*"), java.util.Set.of("admin"),
                java.util.Set.of("moderator"))));
        Client alice = connect(loop1, "alice", "general");
        Client mod = connect(loop2, new dev.relay.core.identity.Identity("mo", "Mo", java.util.Set.of("moderator")),
                "general");
        Client admin = connect(loop3, admin("root"), "general");
        alice.send(roomMessage("general", "one"));
        alice.send(roomMessage("general", "two"));
        List<ServerMessage> sent = alice.messages(MessageType.ROOM_MESSAGE);
        clearAll();

        admin.send(delete("admin-d", "general", null, sent.get(0).id()));
        assertError(admin.singleError(), "forbidden", "admin-d");
        mod.send(delete("mod-d", "general", null, sent.get(1).id()));
        assertThat(mod.errors()).isEmpty();
        assertThat(alice.messages(MessageType.MESSAGE_DELETED)).extracting(ServerMessage::id)
                .containsExactly(sent.get(1).id());
    }

    @Test
    void aPrivateMessageIsDeletedForBothSides() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.send(privateMessage("bob", "oops"));
        String id = bob.messages(MessageType.PRIVATE_MESSAGE).getFirst().id();
        clearAll();

        bob.send(delete("not-his", null, "alice", id));
        assertError(bob.singleError(), "forbidden", "not-his");
        bob.clear();
        alice.send(delete("mine", null, "bob", id));
        for (Client party : List.of(alice, bob)) {
            assertThat(party.messages()).as(party.toString()).singleElement().satisfies(deleted -> {
                assertThat(deleted.type()).isEqualTo(MessageType.MESSAGE_DELETED);
                assertThat(deleted.to()).isEqualTo("bob");
            });
        }
        assertThat(store.conversation("alice", "bob", null, 10).messages()).singleElement()
                .satisfies(kept -> assertThat(Updates.isDeleted(kept)).isTrue());
    }
}
