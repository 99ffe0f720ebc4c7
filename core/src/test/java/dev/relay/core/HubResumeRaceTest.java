package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resume while others publish on other loops: the resumed client gets every message after its position exactly
 * once and in order, the replay before {@code resumed} and the live ones after it.
 */
class HubResumeRaceTest extends HubTestSupport {

    @Test
    void messagesPublishedWhileAResumeWaitsOnItsLoopAreReplayedNotAlsoDeliveredLive() {
        connect(loop1, "carol", "general"); // so deliveries to the room are queued on loop 1 too
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 3);
        String epoch = epoch("general");

        CountDownLatch blocked = loop1.block();
        CompletableFuture<Client> resuming = connectAsync(loop1, user("alice"), "general",
                new StreamPosition(epoch, 1));
        // Published after the resume was queued but before it runs: their lane task on loop 1 comes after the
        // resume, when alice's slot is already in the room. She must get them from the replay only.
        publishNoSync(bob, 3);
        blocked.countDown();
        Client alice = resuming.join();
        syncAll();
        HubResumeTest.publish(bob, 2);

        assertThat(seqs(alice)).isEqualTo(seqRange(2, 8));
        assertThat(resumed(alice)).containsEntry("recovered", true).containsEntry("replayed", 5)
                .containsEntry("seq", 6L);
        assertReplayThenLive(alice, 6);
    }

    @Test
    void aResumeMessageRacingQueuedDeliveriesGetsEachMessageOnce() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 2);
        String epoch = epoch("general");
        alice.send(leaveRoom(null, "general"));
        HubResumeTest.publish(bob, 2); // 3 and 4, missed
        clearAll();

        CountDownLatch blocked = loop1.block();
        loop1.execute(() -> hub().onMessage(alice.session, resume("r-1", "general", 2L, epoch)));
        publishNoSync(bob, 2); // 5 and 6, queued on loop 1 behind the resume
        blocked.countDown();
        syncAll();
        bob.send(roomMessage("general", "live"));

        assertThat(seqs(alice)).isEqualTo(seqRange(3, 7));
        assertThat(resumed(alice)).containsEntry("replayed", 4).containsEntry("seq", 6L).containsEntry("ref", "r-1");
        assertReplayThenLive(alice, 6);
    }

    @Test
    void aResumeRacingPublishersOnTwoOtherLoopsMissesNothingAndRepeatsNothing() throws Exception {
        connect(loop1, "carol", "general");
        Client bob = connect(loop2, "bob", "general");
        Client erin = connect(loop3, "erin", "general");
        HubResumeTest.publish(bob, 5);
        String epoch = epoch("general");
        int each = 300;
        CyclicBarrier start = new CyclicBarrier(3);

        CompletableFuture<Void> fromBob = publishAfter(bob, each, start);
        CompletableFuture<Void> fromErin = publishAfter(erin, each, start);
        CompletableFuture<Client> resuming = CompletableFuture.supplyAsync(() -> {
            await(start);
            return null;
        }).thenCompose(ignored -> connectAsync(loop1, user("alice"), "general", new StreamPosition(epoch, 2)));
        CompletableFuture.allOf(fromBob, fromErin).get();
        Client alice = resuming.get();
        syncAll();
        bob.send(roomMessage("general", "last"));

        long last = 5 + 2L * each + 1;
        assertThat(seqs(alice)).as("consecutive from since + 1, no gap, no repeat").isEqualTo(seqRange(3, last));
        Map<String, Object> resumed = resumed(alice);
        long boundary = (Long) resumed.get("seq");
        assertThat(resumed).containsEntry("recovered", true).containsEntry("replayed", (int) (boundary - 2));
        assertReplayThenLive(alice, boundary);
        assertThat(alice.messages(MessageType.ROOM_MESSAGE))
                .containsExactlyElementsOf(bob.messages(MessageType.ROOM_MESSAGE).stream()
                        .filter(message -> message.seq() > 2).toList());
    }

    /** Everything up to {@code boundary} came before {@code resumed}, everything after it after. */
    private static void assertReplayThenLive(Client client, long boundary) {
        List<ServerMessage> received = client.messages();
        int resumedAt = client.types().indexOf(MessageType.RESUMED);
        assertThat(resumedAt).isNotNegative();
        assertThat(received.subList(0, resumedAt)).filteredOn(message -> message.seq() != null)
                .allSatisfy(message -> assertThat(message.seq()).isLessThanOrEqualTo(boundary));
        assertThat(received.subList(resumedAt + 1, received.size())).filteredOn(message -> message.seq() != null)
                .allSatisfy(message -> assertThat(message.seq()).isGreaterThan(boundary));
    }

    /** Publishes without waiting for the other loops (one of them is blocked). */
    private static void publishNoSync(Client from, int count) {
        for (int i = 0; i < count; i++) {
            from.sendNoSync(roomMessage("general", from.userId() + " queued " + i));
        }
    }

    private CompletableFuture<Void> publishAfter(Client publisher, int count, CyclicBarrier start) {
        return CompletableFuture.runAsync(() -> {
            await(start);
            for (int i = 0; i < count; i++) {
                hub().onMessage(publisher.session, roomMessage("general", publisher.userId() + "-" + i));
            }
        }, publisher.loop);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
