package dev.relay.core;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MessageSink;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code message_update} ({@link Updates}): the same audience as the message, the resume history holding the new
 * text, the sink told only of kept updates, the content filter; and the {@code cancel} frame reaching {@link Cancels}.
 */
class HubUpdatesTest extends HubTestSupport {
    private final List<ServerMessage> kept = new CopyOnWriteArrayList<>();
    private final List<String> cancelled = new CopyOnWriteArrayList<>();

    @Override
    void building(Hub.Builder builder) {
        builder.messageSink(new MessageSink() {
            @Override
            public CompletableFuture<Void> accepted(ServerMessage message) {
                return null;
            }

            @Override
            public void updated(ServerMessage update) {
                kept.add(update);
            }
        });
        builder.cancels((who, replyId) -> {
            if (replyId.equals("someone-elses")) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "not yours");
            }
            if (!replyId.startsWith("running")) {
                return false;
            }
            cancelled.add(who.userId() + ":" + replyId + (who.isAdmin() ? ":admin" : ""));
            return true;
        });
    }

    @Test
    void aRoomUpdateReachesTheRoomOnlyAndAResumeReplaysTheNewText() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        alice.send(roomMessage("general", "first draft"));
        ServerMessage sent = bob.messages(MessageType.ROOM_MESSAGE).getFirst();
        clearAll();

        ServerMessage update = hub().updates().inRoom(user("alice"), sent.id(), "general", "final text",
                new RawJson("{\"stream\":{\"state\":\"done\"}}"), false);
        syncAll();

        for (Client member : List.of(alice, bob)) {
            assertThat(member.messages()).as(member.toString()).singleElement().satisfies(frame -> {
                assertThat(frame.type()).isEqualTo(MessageType.MESSAGE_UPDATE);
                assertThat(frame.id()).isEqualTo(sent.id());
                assertThat(frame.roomId()).isEqualTo("general");
                assertThat(frame.content()).isEqualTo("final text");
                assertThat(frame.seq()).isNull();
            });
        }
        assertThat(carol.messages()).isEmpty();
        assertThat(update.content()).isEqualTo("final text");
        assertThat(kept).as("a step not kept does not reach the sink").isEmpty();

        Client late = connect(loop3, user("dave"), "general", new StreamPosition(sent.epoch(), 0));
        assertThat(late.messages(MessageType.ROOM_MESSAGE)).singleElement().satisfies(replayed -> {
            assertThat(replayed.id()).isEqualTo(sent.id());
            assertThat(replayed.content()).isEqualTo("final text");
            assertThat(replayed.seq()).isEqualTo(sent.seq());
            assertThat(replayed.from()).isEqualTo("alice");
            assertThat(replayed.timestamp()).isEqualTo(sent.timestamp());
        });
    }

    @Test
    void aResumeFromAfterTheMessageGetsTheUpdatesItMissedOncePerMessageAndNoneItHad() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(roomMessage("general", "answer starts"));
        alice.send(roomMessage("general", "another message"));
        List<ServerMessage> sent = alice.messages(MessageType.ROOM_MESSAGE);
        ServerMessage answer = sent.getFirst();
        long seen = sent.getLast().seq(); // the member had both messages, then went away

        hub().updates().inRoom(user("alice"), answer.id(), "general", "answer grows", null, false);
        hub().updates().inRoom(user("alice"), answer.id(), "general", "answer done", null, true);
        syncAll();

        Client back = connect(loop2, user("erin"), "general", new StreamPosition(answer.epoch(), seen));
        assertThat(back.messages(MessageType.ROOM_MESSAGE)).as("nothing new in the stream").isEmpty();
        assertThat(back.messages(MessageType.MESSAGE_UPDATE)).as("the newest text of the message it had, once")
                .singleElement().satisfies(update -> {
                    assertThat(update.id()).isEqualTo(answer.id());
                    assertThat(update.content()).isEqualTo("answer done");
                });

        // From before the message, the replay itself has the new text: no update on top of it.
        Client fresh = connect(loop3, user("frank"), "general", new StreamPosition(answer.epoch(), 0));
        assertThat(fresh.messages(MessageType.ROOM_MESSAGE)).first()
                .satisfies(replayed -> assertThat(replayed.content()).isEqualTo("answer done"));
        assertThat(fresh.messages(MessageType.MESSAGE_UPDATE)).isEmpty();

        // An update made before the member's position was delivered to it live: not sent again.
        alice.send(roomMessage("general", "later"));
        long afterUpdate = alice.messages(MessageType.ROOM_MESSAGE).getLast().seq();
        Client current = connect(loop1, user("gina"), "general", new StreamPosition(answer.epoch(), afterUpdate));
        assertThat(current.messages(MessageType.MESSAGE_UPDATE)).isEmpty();
    }

    @Test
    void aResumeFromBeforeAForgottenUpdateIsNotRecoveredSoTheClientReloads() {
        Client alice = connect(loop1, "alice", "general");
        for (int i = 0; i <= dev.relay.core.room.Room.MAX_RECENT_UPDATES; i++) {
            alice.send(roomMessage("general", "m" + i));
        }
        List<ServerMessage> sent = alice.messages(MessageType.ROOM_MESSAGE);
        long position = sent.getFirst().seq();
        for (ServerMessage message : sent) { // one more updated message than the room remembers
            hub().updates().inRoom(user("alice"), message.id(), "general", "edited", null, false);
        }
        syncAll();

        Client back = connect(loop2, user("hank"), "general", new StreamPosition(sent.getFirst().epoch(), position));
        assertThat(back.messages(MessageType.RESUMED)).singleElement().satisfies(resumed ->
                assertThat(((Map<?, ?>) resumed.data()).get("recovered")).isEqualTo(false));
    }

    @Test
    void aKeptUpdateReachesTheSinkOnce() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(roomMessage("general", "draft"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();

        hub().updates().inRoom(user("alice"), id, "general", "step", null, false);
        hub().updates().inRoom(user("alice"), id, "general", "last", null, true);

        assertThat(kept).extracting(ServerMessage::id, ServerMessage::content)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, "last"));
    }

    @Test
    void aPrivateUpdateReachesBothSidesOfTheConversationOnly() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceAgain = connect(loop2, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        alice.send(privateMessage("bob", "hi"));
        String id = bob.messages(MessageType.PRIVATE_MESSAGE).getFirst().id();
        clearAll();

        hub().updates().inConversation(user("alice"), id, "bob", "hi, edited", null, true);
        syncAll();

        for (Client party : List.of(alice, aliceAgain, bob)) {
            assertThat(party.messages()).as(party.toString()).singleElement().satisfies(frame -> {
                assertThat(frame.type()).isEqualTo(MessageType.MESSAGE_UPDATE);
                assertThat(frame.from()).isEqualTo("alice");
                assertThat(frame.to()).isEqualTo("bob");
                assertThat(frame.content()).isEqualTo("hi, edited");
            });
        }
        assertThat(carol.messages()).isEmpty();
        assertThat(kept).hasSize(1);
    }

    @Test
    void anUpdateIsFilteredAndLengthCheckedLikeAMessage() {
        configure(s -> s.maxMessageLength = 10);
        build(b -> b.contentFilter(ContentFilter.of(List.of("darn"), ContentFilter.Action.MASK)));
        Client alice = connect(loop1, "alice", "general");
        alice.send(roomMessage("general", "x"));
        String id = alice.messages(MessageType.ROOM_MESSAGE).getFirst().id();

        assertThat(hub().updates().inRoom(user("alice"), id, "general", "darn it", null, true).content())
                .isEqualTo("**** it");
        assertThatThrownBy(() -> hub().updates().inRoom(user("alice"), id, "general", "eleven char", null, true))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LONG));
        assertThat(hub().updates().inRoom(user("alice"), id, "general", "ten chars!", null, true).content())
                .isEqualTo("ten chars!");
        assertThatThrownBy(() -> hub().updates().inRoom(user("alice"), id, "nowhere", "x", null, true))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND));
    }

    @Test
    void aCancelReachesTheCancelsWithWhoSentIt() {
        Client alice = connect(loop1, "alice", "general");
        Client root = connect(loop2, admin("root"), "general");

        alice.send(cancel("c1", "running-1"));
        root.send(cancel("c2", "running-2"));

        assertThat(cancelled).containsExactly("alice:running-1", "root:running-2:admin");
        assertThat(alice.errors()).isEmpty();
    }

    @Test
    void aCancelIsRefusedWithoutAnIdForAnUnknownIdAndWhenItIsNotTheSendersToStop() {
        Client alice = connect(loop1, "alice", "general");

        alice.send(new ClientMessage(MessageType.CANCEL, "c1", null, null, null, null, Map.of()));
        assertThat(alice.singleError().content()).contains("data.id");
        alice.clear();
        alice.send(cancel("c2", "nothing-by-that-id"));
        assertThat(data(alice.singleError())).containsEntry("code", "not_found").containsEntry("ref", "c2");
        alice.clear();
        alice.send(cancel("c3", "someone-elses"));
        assertThat(data(alice.singleError())).containsEntry("code", "forbidden");
        assertThat(cancelled).isEmpty();
    }

    @Test
    void anErrorForAUserReachesEachOfTheirConnectionsHere() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceAgain = connect(loop2, "alice", "support");
        Client bob = connect(loop3, "bob", "general");
        clearAll();

        hub().sendError("alice", new ProtocolException(ErrorCode.BUSY, "busy now"));
        hub().sendError("alice", new ProtocolException(ErrorCode.RATE_LIMITED, "slow down", 1500));
        syncAll();

        for (Client own : List.of(alice, aliceAgain)) {
            assertThat(own.errors()).extracting(e -> data(e).get("code")).containsExactly("busy", "rate_limited");
            assertThat(data(own.errors().get(1))).containsEntry("retry_after_ms", 1500L);
        }
        assertThat(bob.messages()).isEmpty();
    }

    private static ClientMessage cancel(String id, String replyId) {
        return new ClientMessage(MessageType.CANCEL, id, null, null, null,
                new RawJson("{\"id\":\"" + replyId + "\"}"), Map.of("id", replyId));
    }
}
