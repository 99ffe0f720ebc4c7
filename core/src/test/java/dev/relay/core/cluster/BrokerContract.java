package dev.relay.core.cluster;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.RecordingInbound;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link Broker} does for the hub, whatever carries the messages: several brokers of one test stand for
 * the nodes of one cluster. A room message takes one seq in the room's one stream and reaches every node following
 * the room, its publisher included; a retry through any node gets the first placement; the stream is read exactly
 * or not at all; private messages, broadcasts and room events reach whom they are for and never echo where they
 * must not; rooms created at run time are claimed once. Each engine's test extends this, once per topology, and
 * adds what only it does (batching, failover, a slot that moves).
 *
 * <p>Subscriptions are asynchronous on every engine, so a test publishes probes until its followers have one; probes
 * are left out of what the tests count.
 */
public abstract class BrokerContract {
    protected static final Duration WAIT = Duration.ofSeconds(15);
    /** The length every room stream is capped at: a subclass gives its brokers this. */
    protected static final int STREAM_LENGTH = 10;
    protected static final String PROBE = "probe";

    private final List<Broker> nodes = new ArrayList<>();

    /**
     * A broker standing for node {@code nodeId} of this test's cluster, not started: every broker a test makes
     * shares one cluster (the same server and prefix), and keeps room streams of {@link #STREAM_LENGTH}.
     */
    protected abstract Broker newBroker(String nodeId);

    /** A started node handing what it receives to {@code inbound}; closed after the test. */
    protected Broker node(String nodeId, Broker.Inbound inbound) {
        Broker broker = newBroker(nodeId);
        nodes.add(broker);
        broker.start(inbound);
        return broker;
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(Broker::close);
    }

    protected static ServerMessage draft(String room, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "room_message", "alice", null, room, content, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    protected static ServerMessage pm(String to, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "private_message", "alice", to, null, content, null,
                Instant.now());
    }

    protected static ServerMessage event(String room, String content) {
        return new ServerMessage(null, "user_joined", null, null, room, content, null, Instant.now());
    }

    /** Publishes probes until every follower has received one: each has subscribed to the room. */
    protected static void following(Broker publisher, String room, RecordingInbound... followers) {
        await().atMost(WAIT).untilAsserted(() -> {
            ServerMessage probe = publisher.publishToRoom(draft(room, PROBE), "epoch0001", null).join();
            await().atMost(Duration.ofSeconds(1)).until(() -> List.of(followers).stream()
                    .allMatch(in -> in.rooms.stream().anyMatch(m -> m.roomId().equals(room)
                            && m.seq().equals(probe.seq()))));
        });
    }

    /** The room's messages a node received, probes left out. */
    protected static List<ServerMessage> real(Collection<ServerMessage> received, String room) {
        return received.stream().filter(m -> m.roomId().equals(room) && !PROBE.equals(m.content())).toList();
    }

    @Test
    void room_messages_from_two_nodes_take_one_seq_each_and_reach_every_following_node_its_publisher_included() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", inB);
        a.followRoom("lobby");
        b.followRoom("lobby");
        following(a, "lobby", inA, inB);

        List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            acks.add((i % 2 == 0 ? a : b).publishToRoom(draft("lobby", "m" + i), "ignored", null));
        }
        List<ServerMessage> placed = acks.stream().map(CompletableFuture::join).toList();
        List<Long> seqs = placed.stream().map(ServerMessage::seq).sorted().toList();
        assertThat(seqs).doesNotHaveDuplicates().hasSize(100);
        assertThat(seqs.getLast() - seqs.getFirst()).as("one seq per room across both nodes").isEqualTo(99);
        assertThat(placed).extracting(ServerMessage::epoch).as("the stream's first epoch stays").containsOnly(
                "epoch0001");

        await().atMost(WAIT).until(() -> real(inA.rooms, "lobby").size() == 100
                && real(inB.rooms, "lobby").size() == 100);
        for (RecordingInbound in : List.of(inA, inB)) {
            assertThat(real(in.rooms, "lobby")).extracting(ServerMessage::seq).as("each once")
                    .containsExactlyInAnyOrderElementsOf(seqs);
            assertThat(real(in.rooms, "lobby")).extracting(ServerMessage::content).as("the body travels")
                    .allMatch(content -> content.startsWith("m"));
        }
        assertThat(b.position("lobby").join()).contains(new StreamPosition("epoch0001", seqs.getLast()));
        assertThat(a.range("lobby", "epoch0001", seqs.getLast() - 3, seqs.getLast()).join())
                .hasValueSatisfying(list -> assertThat(list).extracting(ServerMessage::seq)
                        .containsExactly(seqs.getLast() - 2, seqs.getLast() - 1, seqs.getLast()));
    }

    @Test
    void a_room_nobody_follows_on_a_node_is_not_delivered_there() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", inA);
        node("b", inB);
        a.followRoom("only-a");
        following(a, "only-a", inA);
        a.publishToRoom(draft("only-a", "x"), "e", null).join();
        await().atMost(WAIT).until(() -> real(inA.rooms, "only-a").size() == 1);
        assertThat(inB.rooms).isEmpty();
    }

    @Test
    void range_and_recent_read_the_shared_stream_exactly_or_not_at_all() {
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", new RecordingInbound());
        for (int i = 1; i <= 30 * STREAM_LENGTH; i++) {
            a.publishToRoom(draft("r", "m" + i), "e1", null).join();
        }
        int last = 30 * STREAM_LENGTH;
        assertThat(b.range("r", "e1", last - 5, last).join()).hasValueSatisfying(list ->
                assertThat(list).extracting(ServerMessage::content).containsExactly("m" + (last - 4),
                        "m" + (last - 3), "m" + (last - 2), "m" + (last - 1), "m" + last));
        assertThat(b.range("r", "e1", last, last).join()).contains(List.of());
        assertThat(b.range("r", "e1", 1, last).join()).as("trimmed away: no partial range").isEmpty();
        assertThat(b.range("r", "other", last - 5, last).join()).as("another epoch").isEmpty();
        assertThat(b.recent("r", 3).join()).extracting(ServerMessage::seq)
                .containsExactly((long) last - 2, (long) last - 1, (long) last);
        assertThat(b.recent("r", 0).join()).isEmpty();
        assertThat(b.position("r").join()).contains(new StreamPosition("e1", last));
        assertThat(b.position("nothing-yet").join()).isEmpty();
        assertThat(b.recent("nothing-yet", 5).join()).isEmpty();
    }

    @Test
    void a_retry_through_any_node_gets_the_first_placement_and_no_seq_of_its_own() {
        RecordingInbound inA = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", new RecordingInbound());
        a.followRoom("r");
        following(a, "r", inA);
        ServerMessage first = a.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage retry = b.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage other = b.publishToRoom(draft("r", "twice"), "e", "alice\nroom_message\nr\nnull\nc-2").join();

        assertThat(retry.seq()).isEqualTo(first.seq());
        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(retry.timestamp()).isEqualTo(first.timestamp());
        assertThat(other.seq()).isEqualTo(first.seq() + 1);
        // Sent once: the retry is not handed to the nodes again. Node b sent it before the other message, so once that
        // one is here, a second copy would be too.
        await().atMost(WAIT).until(() -> real(inA.rooms, "r").stream().map(ServerMessage::seq).distinct().count() == 2);
        assertThat(real(inA.rooms, "r")).extracting(ServerMessage::seq).containsExactly(first.seq(), other.seq());
        assertThat(real(inA.rooms, "r").get(0).content()).isEqualTo("once");
    }

    @Test
    void private_messages_reach_only_the_nodes_that_follow_the_user_and_never_the_publisher() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RecordingInbound inC = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", inB);
        Broker c = node("c", inC);
        a.followUser("bob").join(); // bob is on the publishing node too: it delivers there itself
        b.followUser("bob").join();

        assertThat(a.publishToUser("bob", pm("bob", "hi")).join()).as("nodes that have bob").isPositive();
        assertThat(a.publishToUser("nobody", pm("nobody", "lost")).join()).as("no node has them").isZero();
        await().atMost(WAIT).until(() -> inB.users.stream().anyMatch(m -> "hi".equals(m.content())));
        assertThat(inA.users).as("never back to the node that published it").isEmpty();
        assertThat(inC.users).isEmpty();

        a.unfollowUser("bob");
        b.unfollowUser("bob");
        await().atMost(WAIT).until(() -> c.publishToUser("bob", pm("bob", PROBE)).join() == 0);
        assertThat(inB.users).extracting(ServerMessage::content).as("delivered once").filteredOn("hi"::equals)
                .hasSize(1);
    }

    @Test
    void once_following_a_user_has_completed_a_private_message_from_another_node_reaches_it() {
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", inB);
        for (int i = 0; i < 20; i++) {
            String user = "follower" + i;
            b.followUser(user).join();
            assertThat(a.publishToUser(user, pm(user, "right away")).join()).as(user).isPositive();
        }
        assertThat(b.followUser("follower0")).as("already followed").isCompleted();
        await().atMost(WAIT).until(() -> inB.users.size() == 20);
    }

    @Test
    void broadcasts_reach_every_other_node_and_not_their_publisher() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RecordingInbound inC = new RecordingInbound();
        Broker a = node("a", inA);
        node("b", inB);
        node("c", inC);
        await().atMost(WAIT).untilAsserted(() -> {
            a.publishToEveryone(pm(null, "all")).join();
            await().atMost(Duration.ofSeconds(1)).until(() -> !inB.broadcasts.isEmpty() && !inC.broadcasts.isEmpty());
        });
        assertThat(inB.broadcasts).extracting(ServerMessage::content).containsOnly("all");
        assertThat(inA.broadcasts).isEmpty();
    }

    @Test
    void room_events_reach_every_following_node_its_publisher_included_and_take_no_seq() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", inB);
        a.followRoom("hall");
        b.followRoom("hall");
        following(a, "hall", inA, inB);
        StreamPosition before = a.position("hall").join().orElseThrow();

        a.publishRoomEvent(event("hall", "alice arrived")).join();
        await().atMost(WAIT).until(() -> inA.roomEvents.size() == 1 && inB.roomEvents.size() == 1);
        assertThat(inB.roomEvents.getFirst().content()).isEqualTo("alice arrived");
        assertThat(inB.roomEvents.getFirst().roomId()).isEqualTo("hall");
        assertThat(b.position("hall").join()).as("not part of the stream").contains(before);
        assertThat(real(inB.rooms, "hall")).isEmpty();
    }

    @Test
    void a_room_created_at_run_time_is_claimed_once_kept_for_later_nodes_and_forgotten_with_its_stream() {
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", new RecordingInbound());
        a.publishToRoom(draft("board", "before"), "e", null).join();
        assertThat(a.claimRoom("board", "spec of a").join()).isTrue();
        assertThat(b.claimRoom("board", "spec of b").join()).as("taken").isFalse();
        assertThat(b.savedRooms().join()).containsEntry("board", "spec of a");

        b.deleteRoom("board").join();
        assertThat(a.savedRooms().join()).doesNotContainKey("board");
        assertThat(a.position("board").join()).as("its stream went with it").isEmpty();
        assertThat(a.claimRoom("board", "again").join()).isTrue();
        assertThat(b.savedRooms().join()).containsEntry("board", "again");
    }

    @Test
    void a_started_broker_is_connected_and_a_closed_one_is_not() {
        Broker a = node("a", new RecordingInbound());
        assertThat(a.nodeId()).isEqualTo("a");
        assertThat(a.isConnected()).isTrue();
        a.close();
        assertThat(a.isConnected()).isFalse();
    }
}
