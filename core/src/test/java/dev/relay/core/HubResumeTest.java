package dev.relay.core;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resuming a room, on connect or with a {@code resume} message: what is replayed, when the answer is
 * {@code recovered: false}, and that the replay comes before {@code resumed} and everything live after it.
 * Races between a resume and publishers on other loops are in {@link HubResumeRaceTest}; limits and refusals in
 * {@link HubResumeLimitsTest}.
 */
class HubResumeTest extends HubTestSupport {

    @Test
    void aReconnectingClientGetsExactlyWhatItMissedThenResumedThenLiveMessages() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 3);
        String epoch = epoch("general");
        assertThat(seqs(alice)).isEqualTo(seqRange(1, 3));
        alice.disconnect();
        publish(bob, 4); // seq 4..7, missed by alice

        Client back = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 3));
        bob.send(roomMessage("general", "live"));

        List<String> types = back.types();
        int resumed = types.indexOf(MessageType.RESUMED);
        assertThat(types.subList(0, resumed + 1)).containsExactly(MessageType.WELCOME, MessageType.ROOM_MESSAGE,
                MessageType.ROOM_MESSAGE, MessageType.ROOM_MESSAGE, MessageType.ROOM_MESSAGE, MessageType.RESUMED);
        assertThat(seqs(back)).isEqualTo(seqRange(4, 8));
        assertThat(back.contents(MessageType.ROOM_MESSAGE).getLast()).isEqualTo("live");
        assertThat(resumed(back))
                .containsEntry("recovered", true).containsEntry("replayed", 4)
                .containsEntry("epoch", epoch).containsEntry("seq", 7L).doesNotContainKey("ref");
        assertThat(back.messages(MessageType.RESUMED).getFirst().roomId()).isEqualTo("general");
        assertThat(bob.messages(MessageType.USER_JOINED)).extracting(m -> data(m).get("user_id")).contains("alice");
    }

    @Test
    void replayedMessagesAreTheOriginalsWithTheirIdSeqEpochAndTimestamp() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        String epoch = epoch("general");
        alice.disconnect();
        bob.clear();
        publish(bob, 2);
        clock.advance(Duration.ofSeconds(1));
        publish(bob, 1);
        clock.advance(Duration.ofSeconds(30));

        Client back = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 0));

        List<ServerMessage> original = bob.messages(MessageType.ROOM_MESSAGE);
        assertThat(back.messages(MessageType.ROOM_MESSAGE)).containsExactlyElementsOf(original);
        assertThat(back.messages(MessageType.ROOM_MESSAGE)).extracting(ServerMessage::timestamp)
                .containsExactly(START, START, START.plusSeconds(1));
        assertThat(back.messages(MessageType.ROOM_MESSAGE)).allSatisfy(replayed -> {
            assertThat(replayed.id()).hasSize(20);
            assertThat(replayed.epoch()).isEqualTo(epoch);
            assertThat(replayed.from()).isEqualTo("bob");
        });
    }

    @Test
    void aResumeMessageForARoomTheSessionIsNotInJoinsItAndReplays() {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 4);
        String epoch = epoch("general");
        clearAll();

        alice.send(resume("r-1", "general", 2L, epoch));

        assertThat(alice.types()).startsWith(MessageType.ROOM_MESSAGE, MessageType.ROOM_MESSAGE,
                MessageType.RESUMED);
        assertThat(seqs(alice)).containsExactly(3L, 4L);
        assertThat(resumed(alice))
                .containsEntry("recovered", true).containsEntry("replayed", 2).containsEntry("seq", 4L)
                .containsEntry("epoch", epoch).containsEntry("ref", "r-1");
        assertThat(bob.messages(MessageType.USER_JOINED)).singleElement()
                .satisfies(joined -> assertThat(data(joined)).containsEntry("user_id", "alice"));
        assertThat(alice.loop.call(() -> alice.session.isIn("general"))).isTrue();
        assertThat(hub().queries().user("alice").rooms()).containsExactlyInAnyOrder("support", "general");

        alice.clear();
        bob.send(roomMessage("general", "live"));
        assertThat(seqs(alice)).containsExactly(5L);
    }

    @Test
    void aResumeForARoomAlreadyJoinedReplaysOnlyWhatCameBeforeTheJoin() {
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 3);
        Client alice = connect(loop1, "alice", "general"); // joins at seq 3
        publish(bob, 2); // 4 and 5, live for alice
        String epoch = epoch("general");
        assertThat(seqs(alice)).containsExactly(4L, 5L);
        clearAll();

        alice.send(resume("r-1", "general", 1L, epoch));

        assertThat(seqs(alice)).containsExactly(2L, 3L);
        assertThat(resumed(alice))
                .containsEntry("recovered", true).containsEntry("replayed", 2).containsEntry("seq", 3L);
        assertThat(bob.messages()).as("no second user_joined").isEmpty();

        alice.clear();
        alice.send(resume("r-2", "general", 4L, epoch));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(resumed(alice))
                .containsEntry("recovered", true).containsEntry("replayed", 0).containsEntry("ref", "r-2");

        bob.send(roomMessage("general", "live"));
        assertThat(seqs(alice)).as("still a member, no duplicates").containsExactly(6L);
    }

    @Test
    void aWrongEpochRecoversNothingButStillJoins() {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 3);
        String epoch = epoch("general");
        clearAll();

        alice.send(resume("r-1", "general", 1L, "not-" + epoch));

        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(resumed(alice))
                .containsEntry("recovered", false).containsEntry("replayed", 0)
                .containsEntry("epoch", epoch).containsEntry("seq", 3L).containsEntry("ref", "r-1");
        bob.send(roomMessage("general", "live"));
        assertThat(seqs(alice)).containsExactly(4L);
    }

    @Test
    void aWrongEpochOnConnectRecoversNothingAndTheConnectionStillEntersTheRoom() {
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 2);

        Client alice = connect(loop1, user("alice"), "general", new StreamPosition("old-epoch", 1));
        bob.send(roomMessage("general", "live"));

        assertThat(alice.types()).startsWith(MessageType.WELCOME, MessageType.RESUMED);
        assertThat(resumed(alice))
                .containsEntry("recovered", false).containsEntry("replayed", 0).containsEntry("seq", 2L);
        assertThat(seqs(alice)).containsExactly(3L);
    }

    @Test
    void resumingFromTheCurrentPositionRecoversNothingToReplay() {
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 2);

        Client alice = connect(loop1, user("alice"), "general", new StreamPosition(epoch("general"), 2));

        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(resumed(alice))
                .containsEntry("recovered", true).containsEntry("replayed", 0).containsEntry("seq", 2L);
    }

    @Test
    void resumingAnEmptyRoomFromZeroRecovers() {
        Client alice = connect(loop1, user("alice"), "general", new StreamPosition(epoch("general"), 0));

        assertThat(alice.types()).startsWith(MessageType.WELCOME, MessageType.RESUMED);
        assertThat(resumed(alice))
                .containsEntry("recovered", true).containsEntry("replayed", 0).containsEntry("seq", 0L);
    }

    @Test
    void aSinceAheadOfTheStreamIsNotRecovered() {
        Client bob = connect(loop2, "bob", "general");
        publish(bob, 2);
        String epoch = epoch("general");

        Client alice = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 3));
        alice.send(resume("r-1", "general", 99L, epoch));

        List<ServerMessage> answers = alice.messages(MessageType.RESUMED);
        assertThat(answers).hasSize(2).allSatisfy(answer -> assertThat(data(answer))
                .containsEntry("recovered", false).containsEntry("replayed", 0).containsEntry("seq", 2L));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
    }

    // ---- helpers ----

    /** Publishes {@code count} room messages to general from the client, one after the other. */
    static void publish(Client from, int count) {
        for (int i = 0; i < count; i++) {
            from.send(roomMessage("general", from.userId() + " " + i));
        }
    }
}
