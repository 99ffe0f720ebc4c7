package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.OfflineMessages;
import dev.relay.core.testing.TestFrame;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hub as one node of a cluster, with a broker the test drives by hand: room messages are delivered as they
 * arrive from the shared stream, in seq order, a gap is filled before what comes after it, and the ack carries the
 * seq the stream gave. (The real engine against the real Redis is tested in engine-redis and server.)
 */
class HubClusterTest extends HubTestSupport {
    private static final String EPOCH = "shared01";

    /** Records what the hub asks; every future stays open until the test completes it. */
    static final class HandBroker implements Broker {
        volatile Inbound inbound;
        final List<ServerMessage> published = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<ServerMessage>> placements = new CopyOnWriteArrayList<>();
        final List<long[]> ranges = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Optional<List<ServerMessage>>>> rangeAnswers = new CopyOnWriteArrayList<>();
        /** "user:type" of every message sent on a user's channel; no other node has a connection of anyone. */
        final List<String> toUsers = new CopyOnWriteArrayList<>();
        /** The same messages whole. */
        final List<ServerMessage> sentToUsers = new CopyOnWriteArrayList<>();
        /** What followUser answers: complete unless a test holds the subscription back. */
        volatile CompletableFuture<Void> following = CompletableFuture.completedFuture(null);
        /** Messages sent to every node (broadcasts, rooms created and closed). */
        final List<ServerMessage> toEveryone = new CopyOnWriteArrayList<>();
        /** Rooms claimed (saved for later nodes), by id, as the broker keeps them. */
        final Map<String, String> claimedRooms = new java.util.concurrent.ConcurrentHashMap<>();
        /** "+room" for each follow, "-room" for each unfollow. */
        final List<String> follows = new CopyOnWriteArrayList<>();
        /** Where the shared stream stands and its recent messages, as position and recent answer them. */
        volatile Optional<StreamPosition> shared = Optional.empty();
        volatile List<ServerMessage> sharedRecent = List.of();
        /** When set, position answers wait in positionAnswers for the test. */
        volatile boolean positionsByHand;
        final List<CompletableFuture<Optional<StreamPosition>>> positionAnswers = new CopyOnWriteArrayList<>();

        @Override
        public String nodeId() {
            return "test";
        }

        @Override
        public void start(Inbound inbound) {
            this.inbound = inbound;
        }

        @Override
        public CompletableFuture<ServerMessage> publishToRoom(ServerMessage draft, String proposedEpoch,
                                                              String retryKey) {
            published.add(draft);
            CompletableFuture<ServerMessage> placed = new CompletableFuture<>();
            placements.add(placed);
            return placed;
        }

        @Override
        public CompletableFuture<Long> publishToUser(String userId, ServerMessage message) {
            toUsers.add(userId + ":" + message.type());
            sentToUsers.add(message);
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public CompletableFuture<Void> publishToEveryone(ServerMessage message) {
            toEveryone.add(message);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publishRoomEvent(ServerMessage event) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void followRoom(String roomId) {
            follows.add("+" + roomId);
        }

        @Override
        public void unfollowRoom(String roomId) {
            follows.add("-" + roomId);
        }

        @Override
        public CompletableFuture<Void> followUser(String userId) {
            return following;
        }

        @Override
        public void unfollowUser(String userId) {
        }

        @Override
        public CompletableFuture<Optional<StreamPosition>> position(String roomId) {
            if (positionsByHand) {
                CompletableFuture<Optional<StreamPosition>> answer = new CompletableFuture<>();
                positionAnswers.add(answer);
                return answer;
            }
            return CompletableFuture.completedFuture(shared);
        }

        @Override
        public CompletableFuture<List<ServerMessage>> recent(String roomId, int limit) {
            List<ServerMessage> all = sharedRecent;
            return CompletableFuture.completedFuture(all.subList(Math.max(0, all.size() - limit), all.size()));
        }

        @Override
        public CompletableFuture<Optional<List<ServerMessage>>> range(String roomId, String epoch, long after,
                                                                      long upTo) {
            ranges.add(new long[] {after, upTo});
            CompletableFuture<Optional<List<ServerMessage>>> answer = new CompletableFuture<>();
            rangeAnswers.add(answer);
            return answer;
        }

        @Override
        public CompletableFuture<Boolean> claimRoom(String roomId, String encoded) {
            return CompletableFuture.completedFuture(claimedRooms.putIfAbsent(roomId, encoded) == null);
        }

        @Override
        public CompletableFuture<Void> deleteRoom(String roomId) {
            claimedRooms.remove(roomId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Map<String, String>> savedRooms() {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private final HandBroker broker = new HandBroker();

    @Override
    void building(Hub.Builder builder) {
        builder.broker(broker, Duration.ofSeconds(1));
    }

    /** Held in memory, but each hold completes only when the test says so, as a shared holder's would. */
    private static final class GatedHolder implements OfflineMessages {
        final MemoryOfflineMessages memory;
        final List<CompletableFuture<Void>> holds = new CopyOnWriteArrayList<>();

        GatedHolder(Clock clock) {
            memory = new MemoryOfflineMessages(100, Duration.ofHours(1), clock);
        }

        @Override
        public CompletableFuture<Void> hold(ServerMessage message) {
            memory.hold(message);
            CompletableFuture<Void> kept = new CompletableFuture<>();
            holds.add(kept);
            return kept;
        }

        @Override
        public CompletableFuture<OfflineDelivery> release(String userId) {
            return memory.release(userId);
        }
    }

    /** Retries another node saw: what each key claims answers, recorded settles and abandons. */
    private static final class HandRetries implements SharedRetries {
        final Map<String, Published> earlier = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> settled = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Optional<Published>> claim(String retryKey) {
            return CompletableFuture.completedFuture(Optional.ofNullable(earlier.get(retryKey)));
        }

        @Override
        public void settle(String retryKey, Published outcome) {
            settled.add(retryKey.substring(retryKey.lastIndexOf('\n') + 1) + "=" + outcome.id());
        }

        @Override
        public void abandon(String retryKey) {
            settled.add(retryKey.substring(retryKey.lastIndexOf('\n') + 1) + " abandoned");
        }
    }

    @Test
    void aPrivateMessageToAUserConnectedNowhereIsHeldAndOnlyOnceItIsAreTheNodesToldAndTheSenderAcked() {
        GatedHolder holder = new GatedHolder(clock);
        build(b -> b.offlineMessages(holder));
        Client alice = connect(loop1, "alice", "general");
        clearAll();
        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "for later", null, "bob", null));
        syncAll();
        assertThat(alice.messages(MessageType.ACK)).as("the ack waits for the hold").isEmpty();
        assertThat(broker.toUsers).containsExactly("bob:private_message", "alice:private_message");

        holder.holds.getFirst().complete(null);
        syncAll();
        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("stored_offline", true));
        assertThat(broker.toUsers).last().isEqualTo("bob:" + ClusteredRouting.OFFLINE_HELD);
    }

    @Test
    void aConnectingUserTakesWhatIsHeldOnlyOnceTheirChannelReachesThisNode() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(privateMessage("bob", "while away"));
        syncAll();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        broker.following = subscribed;

        Client bob = connect(loop2, "bob", "general");
        syncAll();
        assertThat(bob.messages(MessageType.OFFLINE_MESSAGES)).as("not before the subscription").isEmpty();

        subscribed.complete(null);
        syncAll();
        assertThat(bob.types()).containsSubsequence(MessageType.WELCOME, MessageType.OFFLINE_MESSAGES,
                MessageType.PRIVATE_MESSAGE);
        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("while away");
    }

    @Test
    void aNoticeThatAMessageWasHeldHandsItToTheUsersConnectionHere() {
        GatedHolder holder = new GatedHolder(clock);
        build(b -> b.offlineMessages(holder));
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        // Held by another node while bob was connecting here, after this node took what was held.
        holder.memory.hold(new ServerMessage("x-1", MessageType.PRIVATE_MESSAGE, "carol", "bob", null, "raced",
                null, START));
        broker.inbound.userMessage("bob", new ServerMessage(null, ClusteredRouting.OFFLINE_HELD, null, "bob", null, null,
                null, START));
        syncAll();
        assertThat(bob.types()).containsExactly(MessageType.OFFLINE_MESSAGES, MessageType.PRIVATE_MESSAGE);
        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("raced");
    }

    @Test
    void aRetryAnotherNodeSawIsAnsweredWithTheFirstOutcomeAndNotSentAgain() {
        HandRetries retries = new HandRetries();
        // Offline messages off: a private message to a user connected nowhere is refused (p-4 below).
        build(b -> b.sharedRetries(retries).offlineMessages(new MemoryOfflineMessages(0, Duration.ofHours(1), clock)));
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        retries.earlier.put(String.join("\n", "alice", MessageType.PRIVATE_MESSAGE, "null", "bob", "p-1"),
                new Published("first-id", START, null, true));

        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "again", null, "bob", null));
        syncAll();
        assertThat(alice.messages(MessageType.ACK)).singleElement().satisfies(ack -> assertThat(data(ack))
                .containsEntry("id", "first-id").containsEntry("stored_offline", true));
        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).isEmpty();
        assertThat(broker.toUsers).isEmpty();

        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-2", "new", null, "bob", null));
        syncAll();
        assertThat(bob.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("new");
        String newId = (String) data(alice.messages(MessageType.ACK).getLast()).get("id");
        assertThat(retries.settled).containsExactly("p-2=" + newId);

        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-3", "malformed", null, "not a valid id!", null));
        alice.send(message(MessageType.PRIVATE_MESSAGE, "p-4", "to no one", null, "nobody", null));
        syncAll();
        assertThat(alice.messages(MessageType.ERROR)).extracting(error -> data(error).get("code"))
                .containsExactly("invalid_field", "user_not_online");
        assertThat(retries.settled).as("a malformed message claims nothing; a refused claim is given up")
                .containsExactly("p-2=" + newId, "p-4 abandoned");
    }

    private ServerMessage placed(long seq, String content) {
        return new ServerMessage("id-" + seq, MessageType.ROOM_MESSAGE, "bob", null, "general", content, null,
                START, seq, EPOCH);
    }

    private void arrive(long seq, String content) {
        broker.inbound.roomMessage(placed(seq, content));
        syncAll();
    }

    @Test
    void aRoomMessageIsDeliveredWhenItArrivesFromTheStreamAndTheAckCarriesTheStreamsSeq() {
        Client alice = connect(loop1, "alice", "general");
        Client carol = connect(loop2, "carol", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        assertThat(broker.published).extracting(ServerMessage::content).containsExactly("hello");
        assertThat(alice.messages()).as("nothing before the stream answers").isEmpty();

        ServerMessage draft = broker.published.getFirst();
        broker.placements.getFirst().complete(draft.at(1, EPOCH));
        syncAll();
        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(((Map<?, ?>) ack.data()).get("seq")).isEqualTo(1L));
        assertThat(carol.messages(MessageType.ROOM_MESSAGE)).as("delivery waits for the arrival").isEmpty();

        broker.inbound.roomMessage(draft.at(1, EPOCH));
        syncAll();
        for (Client client : List.of(alice, carol)) {
            assertThat(client.messages(MessageType.ROOM_MESSAGE)).singleElement()
                    .satisfies(m -> assertThat(m.seq()).isEqualTo(1L));
        }
    }

    @Test
    void acksOfPlacementsTheEngineCompletesTogetherReachTheSenderInOrderWithOneFlush() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();
        for (int i = 1; i <= 3; i++) {
            alice.send(roomMessage("m-" + i, "general", "hello " + i));
        }
        int flushesBefore = alice.connection.flushCount();
        long tasksBefore = loop1.executedTasks();

        broker.inbound.together(() -> {
            for (int i = 0; i < 3; i++) {
                broker.placements.get(i).complete(broker.published.get(i).at(i + 1, EPOCH));
            }
            loop1.sync();
            assertThat(alice.messages(MessageType.ACK)).as("nothing goes out before the run ends").isEmpty();
        });
        syncAll();

        assertThat(alice.messages(MessageType.ACK)).extracting(ack -> (Object) ((Map<?, ?>) ack.data()).get("ref"))
                .containsExactly("m-1", "m-2", "m-3");
        assertThat(alice.messages(MessageType.ACK)).extracting(ack -> (Object) ((Map<?, ?>) ack.data()).get("seq"))
                .containsExactly(1L, 2L, 3L);
        assertThat(alice.connection.flushCount() - flushesBefore).as("flushes for the three acks").isEqualTo(1);
        assertThat(loop1.executedTasks() - tasksBefore).as("tasks for the three acks").isEqualTo(1);
    }

    @Test
    void arrivalsTheEngineHandsOverTogetherReachEachMemberInOrderWithOneFlush() {
        Client carol = connect(loop2, "carol", "general");
        clearAll();
        int flushesBefore = carol.connection.flushCount();

        broker.inbound.together(() -> {
            for (int seq = 1; seq <= 3; seq++) {
                broker.inbound.roomMessage(placed(seq, "m" + seq));
            }
            loop2.sync();
            assertThat(carol.messages()).as("nothing goes out before the run ends").isEmpty();
        });
        syncAll();

        assertThat(carol.contents(MessageType.ROOM_MESSAGE)).containsExactly("m1", "m2", "m3");
        assertThat(carol.connection.flushCount() - flushesBefore).as("flushes for three arrivals").isEqualTo(1);
    }

    @Test
    void anArrivalWithItsFrameMadeByTheBrokerIsDeliveredAsThatFrameAndKeptInHistoryAsTheMessage() {
        Client alice = connect(loop1, "alice", "general");
        Client carol = connect(loop2, "carol", "general");
        clearAll();

        // The frame stands for the origin's encoding: its content differs only so the test can tell it was used.
        TestFrame originsEncoding = encoder.encode(placed(1, "as the origin encoded it"));
        broker.inbound.roomMessage(placed(1, "as read"), originsEncoding);
        originsEncoding.release(); // the broker's reference; the lanes hold their own until written
        syncAll();

        for (Client client : List.of(alice, carol)) {
            assertThat(client.messages(MessageType.ROOM_MESSAGE)).extracting(ServerMessage::content)
                    .containsExactly("as the origin encoded it");
        }
        Client late = connect(loop3, user("dave"), "general", new StreamPosition(EPOCH, 0));
        assertThat(late.contents(MessageType.ROOM_MESSAGE)).as("history keeps the message, encoded when replayed")
                .containsExactly("as read");
    }

    @Test
    void aGapIsFilledFromTheStreamBeforeAnythingAfterItAndDuplicatesAreDropped() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();
        arrive(1, "one");
        arrive(3, "three");
        arrive(4, "four");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).as("3 and 4 wait for 2").containsExactly("one");
        assertThat(broker.ranges).singleElement().satisfies(r -> assertThat(r).containsExactly(1, 2));

        broker.rangeAnswers.getFirst().complete(Optional.of(List.of(placed(2, "two"))));
        syncAll();
        arrive(3, "three again");
        arrive(5, "five");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("one", "two", "three", "four", "five");
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(EPOCH, 5));
    }

    @Test
    void aGapTheStreamNoLongerHoldsIsSkippedAndAResumeFromBeforeItIsNotRecovered() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();
        arrive(1, "one");
        arrive(4, "four");
        broker.rangeAnswers.getFirst().complete(Optional.empty());
        syncAll();
        arrive(5, "five");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("one", "four", "five");

        Client back = connect(loop2, user("bob"), "general", new StreamPosition(EPOCH, 1));
        assertThat(back.messages(MessageType.RESUMED)).singleElement()
                .satisfies(r -> assertThat(((Map<?, ?>) r.data()).get("recovered")).isEqualTo(false));
        Client fromFour = connect(loop3, user("carol"), "general", new StreamPosition(EPOCH, 4));
        assertThat(fromFour.contents(MessageType.ROOM_MESSAGE)).containsExactly("five");
    }

    @Test
    void aFirstArrivalPastSeqOneIsAGapFromTheStartOfItsStreamNotANewStart() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();
        arrive(2, "two"); // an unordered fan-out (NATS) can bring 2 before 1
        assertThat(broker.ranges).singleElement().satisfies(r -> assertThat(r).containsExactly(0, 1));
        broker.rangeAnswers.getFirst().complete(Optional.of(List.of(placed(1, "one"))));
        syncAll();
        arrive(1, "one, late");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("one", "two");
    }

    @Test
    void aRoomIsCreatedOnlyOnceTheBrokerClaimedItsIdAndIsThenAnnounced() {
        RoomInfo created = hub().admin().createRoomAsync(admin("root"), new RoomSpec("board", "Board", null), true,
                Set.of("alice")).join();

        assertThat(created.id()).isEqualTo("board");
        assertThat(SharedRoomSpec.decode(broker.claimedRooms.get("board")))
                .isEqualTo(new SharedRoomSpec("board", "Board", "", true, Set.of("alice", "root")));
        assertThat(broker.toEveryone).extracting(ServerMessage::type).contains(ClusteredRouting.ROOM_CREATED);
        assertThat(hub().queries().roomAccess().mayEnter(user("alice"), "board")).isTrue();
    }

    @Test
    void anIdAnotherNodeCreatedIsRefusedEvenWhenThisNodeLacksTheRoomAndNothingChanges() {
        String theirs = new SharedRoomSpec("board", "Board", "", true, Set.of("owner")).encode();
        broker.claimedRooms.put("board", theirs); // created elsewhere; this node never got it (its room limit, say)

        assertThatThrownBy(() -> hub().admin().createRoomAsync(admin("root"), new RoomSpec("board", null, null), true,
                Set.of("intruder")).join()).hasCauseInstanceOf(ProtocolException.class)
                .cause().satisfies(refused -> assertThat(((ProtocolException) refused).code())
                        .isEqualTo(ErrorCode.ROOM_EXISTS));

        assertThat(broker.claimedRooms).containsEntry("board", theirs);
        assertThat(hub().queries().roomExists("board")).isFalse();
        assertThat(hub().queries().roomAccess().isPrivate("board")).isFalse();
        assertThat(broker.toEveryone).extracting(ServerMessage::type).doesNotContain(ClusteredRouting.ROOM_CREATED);
    }

    @Test
    void anIdClaimedForARoomThisNodeCannotTakeIsGivenBack() {
        configure(settings -> settings.maxRooms = settings.defaultRooms.size());

        assertThatThrownBy(() -> hub().admin().createRoomAsync(admin("root"), new RoomSpec("extra", null, null), false,
                Set.of()).join()).cause().isInstanceOfSatisfying(ProtocolException.class,
                refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ROOM_LIMIT_REACHED));

        assertThat(broker.claimedRooms).doesNotContainKey("extra");
    }

    @Test
    void aRoomIsFollowedWhileAConnectionHereIsInItAndNoLonger() {
        hub();
        assertThat(broker.follows).as("no room is followed before anyone is in it").isEmpty();
        Client alice = connect(loop1, "alice", "general");
        Client alice2 = connect(loop2, "alice", "general");
        alice.send(joinRoom("j-1", "support"));
        assertThat(broker.follows).containsExactly("+general", "+support");

        alice.disconnect();
        syncAll();
        assertThat(broker.follows).as("alice's second connection, which followed her join, is still in both")
                .containsExactly("+general", "+support");
        alice2.send(leaveRoom("l-0", "support"));
        assertThat(broker.follows).containsExactly("+general", "+support", "-support");
        alice2.send(leaveRoom("l-1", "general"));
        assertThat(broker.follows).containsExactly("+general", "+support", "-support", "-general");
        broker.inbound.roomMessage(placed(1, "nobody here"));
        syncAll();
        assertThat(alice2.contents(MessageType.ROOM_MESSAGE)).isEmpty();

        alice2.send(joinRoom("j-2", "general"));
        assertThat(broker.follows).endsWith("-general", "+general");
    }

    @Test
    void aRoomFollowedWhenItsFirstConnectionArrivesStartsAtTheStreamsEndAndKeepsItsRecentMessages() {
        broker.shared = Optional.of(new StreamPosition(EPOCH, 5));
        broker.sharedRecent = List.of(placed(3, "three"), placed(4, "four"), placed(5, "five"));
        Client alice = connect(loop1, "alice", "general");
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(EPOCH, 5));
        arrive(6, "six");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).as("what came before the join is not delivered")
                .containsExactly("six");
        assertThat(broker.ranges).as("no gap to fill").isEmpty();

        Client bob = connect(loop2, user("bob"), "general", new StreamPosition(EPOCH, 3));
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("four", "five", "six");
        assertThat(resumed(bob)).containsEntry("recovered", true);
    }

    @Test
    void aConnectionToARoomNobodyHereIsInIsWelcomedOnceTheRoomHasCaughtUpAndGetsEverythingAfter() {
        hub();
        broker.positionsByHand = true;
        Client alice = connect(loop1, "alice", "general");
        arrive(6, "six");
        assertThat(alice.types()).as("no welcome before the node knows where the stream stands").isEmpty();

        broker.sharedRecent = List.of(placed(5, "five"), placed(6, "six"));
        broker.positionAnswers.getFirst().complete(Optional.of(new StreamPosition(EPOCH, 6)));
        syncAll();
        assertThat(alice.types()).startsWith(MessageType.WELCOME).doesNotContain(MessageType.ROOM_MESSAGE);
        arrive(7, "seven");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("seven");
        assertThat(hub().queries().roomPosition("general")).contains(new StreamPosition(EPOCH, 7));

        Client bob = connect(loop2, "bob", "general");
        assertThat(bob.types()).as("the room is followed and current: at once").startsWith(MessageType.WELCOME);
        assertThat(broker.positionAnswers).hasSize(1);
    }

    @Test
    void nothingReachesAConnectionBeforeItsWelcomeWhileTheWelcomeWaitsForTheRoom() {
        hub();
        broker.positionsByHand = true;
        Client alice = connect(loop1, "alice", "general");
        broker.inbound.userMessage("alice", new ServerMessage("p-1", MessageType.PRIVATE_MESSAGE, "bob", "alice",
                null, "early whisper", null, START));
        broker.inbound.broadcast(new ServerMessage("b-1", MessageType.BROADCAST, "bob", null, null, "early news",
                null, START));
        syncAll();
        assertThat(alice.types()).as("not reachable before its welcome").isEmpty();

        broker.positionAnswers.getFirst().complete(Optional.of(new StreamPosition(EPOCH, 0)));
        syncAll();
        assertThat(alice.types()).first().isEqualTo(MessageType.WELCOME);
        broker.inbound.userMessage("alice", new ServerMessage("p-2", MessageType.PRIVATE_MESSAGE, "bob", "alice",
                null, "whisper", null, START));
        syncAll();
        assertThat(alice.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("whisper");
    }

    @Test
    void aResumeOfARoomNobodyHereIsInIsAnsweredOnceTheRoomHasCaughtUpFromTheStream() {
        hub();
        broker.positionsByHand = true;
        broker.sharedRecent = List.of(placed(1, "one"), placed(2, "two"), placed(3, "three"));
        Client bob = connect(loop1, user("bob"), "general", new StreamPosition(EPOCH, 1));
        assertThat(bob.types()).as("nothing until the room has caught up").isEmpty();
        assertThat(broker.follows).containsExactly("+general");

        broker.positionAnswers.getFirst().complete(Optional.of(new StreamPosition(EPOCH, 3)));
        syncAll();
        assertThat(bob.types()).startsWith(MessageType.WELCOME, MessageType.ROOM_MESSAGE, MessageType.ROOM_MESSAGE,
                MessageType.RESUMED);
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("two", "three");
        assertThat(resumed(bob)).containsEntry("recovered", true).containsEntry("seq", 3L);
        arrive(4, "four");
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("two", "three", "four");

        bob.send(resume("r-1", "support", 0, "other-epoch"));
        broker.positionAnswers.get(1).complete(Optional.empty());
        syncAll();
        assertThat(bob.messages(MessageType.RESUMED)).hasSize(2).last()
                .satisfies(r -> assertThat(data(r)).containsEntry("recovered", false).containsEntry("ref", "r-1"));
        assertThat(broker.follows).containsExactly("+general", "+support");
    }
}
