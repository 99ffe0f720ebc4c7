package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/** Room streams: every room message has its room's next seq and the room's epoch, and members see one order. */
class HubStreamTest extends HubTestSupport {

    @Test
    void roomMessagesCarryConsecutiveSeqsFromOneAndTheRoomsEpoch() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        String epoch = hub().queries().roomPosition("general").orElseThrow().epoch();
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(epoch, 0));
        clearAll();

        for (int i = 1; i <= 5; i++) {
            alice.send(roomMessage("general", "m" + i));
        }

        for (Client member : List.of(alice, bob)) {
            assertThat(seqs(member)).as(member.toString()).isEqualTo(seqRange(1, 5));
            assertThat(member.messages(MessageType.ROOM_MESSAGE)).extracting(ServerMessage::epoch).containsOnly(epoch);
        }
        assertThat(epoch).isNotBlank();
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(epoch, 5));
    }

    @Test
    void restPublishedMessagesTakeTheNextSeqOfTheSameStream() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();

        alice.send(roomMessage("general", "by socket"));
        Published published = hub().publish(alice.identity, roomMessage("general", "by REST")).join();
        alice.send(roomMessage("general", "by socket again"));

        assertThat(published.seq()).isEqualTo(2L);
        assertThat(seqs(alice)).isEqualTo(seqRange(1, 3));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE).get(1).id()).isEqualTo(published.id());
    }

    @Test
    void twoRoomsHaveIndependentSeqsAndDifferentEpochs() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom(null, "support"));
        clearAll();

        alice.send(roomMessage("general", "g1"));
        alice.send(roomMessage("support", "s1"));
        alice.send(roomMessage("general", "g2"));
        alice.send(roomMessage("support", "s2"));
        alice.send(roomMessage("support", "s3"));

        List<ServerMessage> general = inRoom(alice, "general");
        List<ServerMessage> support = inRoom(alice, "support");
        assertThat(general).extracting(ServerMessage::seq).containsExactly(1L, 2L);
        assertThat(support).extracting(ServerMessage::seq).containsExactly(1L, 2L, 3L);
        String generalEpoch = general.getFirst().epoch();
        String supportEpoch = support.getFirst().epoch();
        assertThat(general).extracting(ServerMessage::epoch).containsOnly(generalEpoch);
        assertThat(support).extracting(ServerMessage::epoch).containsOnly(supportEpoch);
        assertThat(generalEpoch).isNotEqualTo(supportEpoch);
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(generalEpoch, 2));
        assertThat(hub().queries().roomPosition("support")).contains(new StreamPosition(supportEpoch, 3));
        assertThat(hub().queries().roomPosition("announcements").orElseThrow().seq()).isZero();
        assertThat(hub().queries().roomPosition("nowhere")).isEmpty();
    }

    @Test
    void messagesOutsideRoomStreamsCarryNoPosition() {
        Client root = connect(loop1, admin("root"), "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        root.send(privateMessage("bob", "psst"));
        root.send(broadcast("all"));
        root.send(joinRoom("j", "support"));
        bob.send(joinRoom(null, "support"));

        assertThat(bob.messages()).isNotEmpty().allSatisfy(received -> {
            assertThat(received.seq()).as(received.toString()).isNull();
            assertThat(received.epoch()).as(received.toString()).isNull();
        });
        assertThat(root.messages()).isNotEmpty()
                .allSatisfy(received -> assertThat(received.seq()).as(received.toString()).isNull());
    }

    @Test
    void aMemberWhoJoinsAfterMessagesDoesNotGetThem() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(roomMessage("general", "before 1"));
        alice.send(roomMessage("general", "before 2"));
        Client bob = connect(loop2, "bob", "support");
        clearAll();

        bob.send(joinRoom(null, "general"));
        alice.send(roomMessage("general", "after"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("after");
        assertThat(seqs(bob)).containsExactly(3L);
    }

    @Test
    void aJoinRunningBeforeDeliveriesAlreadyQueuedOnItsLoopSkipsThem() {
        Client carol = connect(loop1, "carol", "general"); // so loop 1 has a shard of the room the join lands in
        Client dave = connect(loop1, "dave", "support");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        CountDownLatch blocked = loop1.block();
        // Queued first, so it runs before the lane task the publishes below schedule on loop 1: dave's slot is in
        // the shard when those deliveries are written, but he joined after they were published.
        loop1.execute(() -> hub().onMessage(dave.session, joinRoom("j", "general")));
        bob.sendNoSync(roomMessage("general", "published before the join ran"));
        bob.sendNoSync(roomMessage("general", "this one too"));
        blocked.countDown();
        syncAll();
        bob.send(roomMessage("general", "live"));

        assertThat(dave.types()).containsExactly(MessageType.JOINED, MessageType.USER_JOINED, MessageType.ROOM_MESSAGE);
        assertThat(dave.contents(MessageType.ROOM_MESSAGE)).containsExactly("live");
        assertThat(seqs(dave)).containsExactly(3L);
        assertThat(seqs(carol)).isEqualTo(seqRange(1, 3));
    }

    @Test
    void everyMemberSeesTheSameConsecutiveSeqsUnderConcurrentPublishersOnDifferentLoops() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        Client dave = connect(loop1, "dave", "general");
        clearAll();
        int each = 150;
        CyclicBarrier start = new CyclicBarrier(3);

        CompletableFuture.allOf(
                publishConcurrently(alice, each, start),
                publishConcurrently(bob, each, start),
                publishConcurrently(carol, each, start)).get();
        syncAll();

        List<ServerMessage> reference = alice.messages(MessageType.ROOM_MESSAGE);
        assertThat(reference).extracting(ServerMessage::seq).isEqualTo(seqRange(1, 3L * each));
        for (Client member : List.of(bob, carol, dave)) {
            assertThat(member.messages(MessageType.ROOM_MESSAGE)).as(member.toString())
                    .containsExactlyElementsOf(reference);
        }
        assertThat(reference).extracting(ServerMessage::id).doesNotHaveDuplicates();
        assertThat(reference).extracting(ServerMessage::epoch).containsOnly(reference.getFirst().epoch());
        assertThat(alice.errors()).isEmpty();
    }

    private CompletableFuture<Void> publishConcurrently(Client publisher, int count, CyclicBarrier start) {
        return CompletableFuture.runAsync(() -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < count; i++) {
                hub().onMessage(publisher.session, roomMessage("general", publisher.userId() + "-" + i));
            }
        }, publisher.loop);
    }

    private static List<ServerMessage> inRoom(Client client, String roomId) {
        return client.messages(MessageType.ROOM_MESSAGE).stream()
                .filter(message -> roomId.equals(message.roomId())).toList();
    }
}
