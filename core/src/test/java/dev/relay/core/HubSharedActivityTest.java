package dev.relay.core;

import dev.relay.core.cluster.SharedActivity;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.UserStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.relay.core.HubStatusTest.assertPresence;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Automatic {@code away} decided for the whole cluster, on one node with a fake clock, a broker and a shared activity
 * the test drives by hand: a user idle here turns away only when no other node saw them active within the timeout,
 * the other nodes hear of it, and activity here or there brings them back. (The Redis side is tested in
 * engine-redis, the whole against real nodes in the server's ClusterIT.)
 */
class HubSharedActivityTest extends HubTestSupport {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What the nodes recorded, as the test says; each question answered from it unless the test holds it back. */
    private static final class HandActivity implements SharedActivity {
        final List<Map<String, Duration>> recorded = new CopyOnWriteArrayList<>();
        final List<Set<String>> asked = new CopyOnWriteArrayList<>();
        final Set<String> activeElsewhere = ConcurrentHashMap.newKeySet();
        /** When set, the next question is answered by the test through it. */
        volatile CompletableFuture<Set<String>> held;

        @Override
        public void record(Map<String, Duration> activeFor) {
            recorded.add(Map.copyOf(activeFor));
        }

        @Override
        public CompletableFuture<Set<String>> active(Collection<String> userIds) {
            asked.add(Set.copyOf(userIds));
            CompletableFuture<Set<String>> answer = held;
            if (answer != null) {
                held = null;
                return answer;
            }
            return CompletableFuture.completedFuture(userIds.stream().filter(activeElsewhere::contains)
                    .collect(java.util.stream.Collectors.toSet()));
        }

        /** "user status" claimed already (by another node, as the test says, or by this one). */
        final Set<String> claimed = ConcurrentHashMap.newKeySet();

        @Override
        public CompletableFuture<Boolean> claim(String userId, String status, Duration within) {
            return CompletableFuture.completedFuture(claimed.add(userId + " " + status));
        }
    }

    private final HubClusterTest.HandBroker broker = new HubClusterTest.HandBroker();
    private final HandActivity activity = new HandActivity();

    @Override
    void building(Hub.Builder builder) {
        builder.broker(broker, Duration.ofSeconds(1)).sharedActivity(activity);
    }

    /** "user status" for each automatic status this node reported to its observer. */
    private final List<String> reported = new CopyOnWriteArrayList<>();

    @Override
    HubObserver observer() {
        return new HubObserver() {
            @Override
            public void statusAutomatic(String userId, String status) {
                reported.add(userId + " " + status);
            }
        };
    }

    private void configured() {
        configure(settings -> settings.userStatusTimeout = TIMEOUT);
    }

    /** The automatic statuses this node told the user's other nodes, in order: "idle" or "active". */
    private List<String> told(String userId) {
        return broker.sentToUsers.stream()
                .filter(m -> m.type().equals(ClusteredRouting.STATUS) && userId.equals(m.to()))
                .map(ServerMessage::content)
                .toList();
    }

    private void fromAnotherNode(String userId, String content) {
        broker.inbound.userMessage(userId, new ServerMessage(null, ClusteredRouting.STATUS, null, userId, null, content,
                null, Instant.EPOCH));
    }

    @Test
    void aUserIdleHereButActiveOnAnotherNodeStaysOnlineUntilIdleThereToo() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        bob.send(roomMessage("general", "still here"));
        clearAll();
        activity.activeElsewhere.add("alice");

        assertThat(hub().admin().sweepIdleUsers().join()).isZero();
        assertThat(activity.asked.getLast()).as("only the users idle here are asked about").containsExactly("alice");
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(bob.messages(MessageType.PRESENCE)).isEmpty();
        assertThat(told("alice")).isEmpty();

        activity.activeElsewhere.remove("alice");
        clock.advance(Duration.ofSeconds(3));
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
        assertPresence(bob, "general", "alice", "away");
        assertThat(told("alice")).as("the other nodes hear it was automatic").containsExactly(ClusteredRouting.IDLE);
        assertThat(alice.messages(MessageType.PRESENCE)).hasSize(1);
    }

    @Test
    void eachSweepRecordsOnlyTheActivitySinceTheLastOneWithWhatIsLeftOfTheTimeout() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");

        clock.advance(Duration.ofSeconds(5));
        hub().admin().sweepIdleUsers().join();
        assertThat(activity.recorded).containsExactly(Map.of("alice", Duration.ofSeconds(25),
                "bob", Duration.ofSeconds(25)));

        clock.advance(Duration.ofSeconds(1));
        hub().admin().sweepIdleUsers().join();
        assertThat(activity.recorded).as("nothing new: no call").hasSize(1);

        alice.send(roomMessage("general", "hello"));
        syncAll();
        clock.advance(Duration.ofSeconds(2));
        hub().admin().sweepIdleUsers().join();
        assertThat(activity.recorded.getLast()).isEqualTo(Map.of("alice", Duration.ofSeconds(28)));
        assertThat(activity.asked).as("nobody idle yet: no question").isEmpty();
    }

    @Test
    void theSweepDoesNotWaitForTheAnswerAndActivityMeanwhileKeepsTheUserOnline() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        clearAll();
        CompletableFuture<Set<String>> answer = new CompletableFuture<>();
        activity.held = answer;

        CompletableFuture<Integer> sweep = hub().admin().sweepIdleUsers();
        assertThat(sweep).isNotDone();
        assertThat(activity.asked.getLast()).containsExactlyInAnyOrder("alice", "bob");
        alice.send(roomMessage("general", "typing again"));
        syncAll();
        answer.complete(Set.of());

        assertThat(sweep.join()).as("bob only: alice did something while the cluster was asked").isEqualTo(1);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.AWAY);
        assertThat(told("alice")).isEmpty();
        assertThat(told("bob")).containsExactly(ClusteredRouting.IDLE);
    }

    @Test
    void whileTheSharedActivityCannotBeReadEachNodeDecidesFromItsOwn() {
        configured();
        connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        bob.send(roomMessage("general", "here"));
        clearAll();
        activity.activeElsewhere.add("alice"); // what the cluster would say, could it be read
        activity.held = CompletableFuture.failedFuture(new IllegalStateException("redis down"));

        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
        assertPresence(bob, "general", "alice", "away");
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.ONLINE);
    }

    @Test
    void anotherNodeFindingTheUserIdleTurnsThemAwayHereUnlessThisNodeSawThemActive() {
        configured();
        connect(loop1, "alice", "general");
        Client carol = connect(loop3, "carol", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT.minusSeconds(1));
        carol.send(roomMessage("general", "just now"));
        clock.advance(Duration.ofSeconds(1));
        clearAll();

        fromAnotherNode("alice", ClusteredRouting.IDLE);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
        assertPresence(bob, "general", "alice", "away");
        assertThat(told("alice")).as("nothing to tell back").isEmpty();

        fromAnotherNode("carol", ClusteredRouting.IDLE);
        syncAll();
        assertThat(hub().queries().user("carol").status()).as("active here a second ago").isEqualTo(UserStatus.ONLINE);
        assertThat(told("carol")).as("the other nodes hear she is back").containsExactly(ClusteredRouting.ACTIVE);

        fromAnotherNode("alice", ClusteredRouting.IDLE);
        syncAll();
        assertThat(bob.messages(MessageType.PRESENCE)).as("away already: said once").hasSize(1);
    }

    @Test
    void activityHereBringsAnAutomaticallyAwayUserBackAndTellsTheOtherNodes() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        fromAnotherNode("alice", ClusteredRouting.IDLE);
        clearAll();

        alice.send(roomMessage("general", "back"));
        syncAll();

        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertPresence(bob, "general", "alice", "online");
        assertThat(told("alice")).containsExactly(ClusteredRouting.ACTIVE);
        alice.send(roomMessage("general", "and again"));
        syncAll();
        assertThat(told("alice")).as("only coming back is told, not every message").hasSize(1);
    }

    @Test
    void activityOnAnotherNodeBringsTheUserBackHereAndRestartsTheIdleClock() {
        configured();
        connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        hub().admin().sweepIdleUsers().join();
        bob.send(roomMessage("general", "still here"));
        clearAll();

        fromAnotherNode("alice", ClusteredRouting.ACTIVE);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertPresence(bob, "general", "alice", "online");
        assertThat(told("alice")).as("not echoed").containsExactly(ClusteredRouting.IDLE);

        clock.advance(TIMEOUT.minusMillis(1));
        activity.asked.clear();
        hub().admin().sweepIdleUsers().join();
        assertThat(hub().queries().user("alice").status()).as("the other node's activity counts here").isEqualTo(UserStatus.ONLINE);
        assertThat(activity.asked).allSatisfy(asked -> assertThat(asked).doesNotContain("alice"));
    }

    @Test
    void aChosenStatusIsLeftAloneByAutomaticChangesFromEitherSide() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        alice.send(status(null, "busy"));
        clock.advance(TIMEOUT);
        clearAll();

        fromAnotherNode("alice", ClusteredRouting.IDLE);
        fromAnotherNode("alice", ClusteredRouting.ACTIVE);
        hub().admin().sweepIdleUsers().join();
        alice.send(roomMessage("general", "busy but talking"));
        syncAll();

        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.BUSY);
        assertThat(told("alice")).as("the chosen status went as chosen").containsExactly("busy");
        assertThat(activity.asked).allSatisfy(asked -> assertThat(asked).doesNotContain("alice"));

        fromAnotherNode("alice", "online"); // chosen on another node: automatic again
        clock.advance(TIMEOUT);
        assertThat(hub().admin().sweepIdleUsers().join()).as("alice; bob turned away at the first sweep").isEqualTo(1);
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
    }

    @Test
    void choosingAwayWhileAutomaticallyAwayIsToldSoTheOtherNodesKeepItThroughActivity() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        fromAnotherNode("alice", ClusteredRouting.IDLE);
        bob.send(roomMessage("general", "here"));
        clearAll();

        alice.send(status(null, "away"));
        syncAll();
        assertThat(told("alice")).as("unchanged here, but now chosen").containsExactly("away");
        assertThat(bob.messages(MessageType.PRESENCE)).isEmpty();
        fromAnotherNode("alice", ClusteredRouting.ACTIVE);
        alice.send(roomMessage("general", "away but talking"));
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
    }

    @Test
    void anAutomaticChangeIsReportedOnlyByTheNodeThatClaimsItAndNotByOneApplyingAnotherNodesDecision() {
        configured();
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        activity.claimed.add("bob away"); // another node's sweep decided bob's away at the same moment

        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(2);
        syncAll();
        assertThat(reported).as("alice's away is this node's; bob's was claimed elsewhere")
                .containsExactly("alice away");

        alice.send(roomMessage("general", "back"));
        syncAll();
        fromAnotherNode("bob", ClusteredRouting.ACTIVE); // bob came back on another node, which reports it
        syncAll();
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(reported).containsExactly("alice away", "alice online");
    }
}
