package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.RoomPresenceContract;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TcpProxy;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Room presence in the real Redis against the contract, with the events published from the script on the room's
 * channel (the Redis engine) and, {@link ThroughTheBroker nested}, decided by the script and sent by the broker (the
 * NATS engine); and what only Redis shows: a change lost to a cut connection put back, a node taken for dead while
 * alive.
 */
class RedisRoomPresenceTest extends RoomPresenceContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    /** Where each presence finds Redis, when not the shared one (a proxy the test can cut). */
    private String presenceUrl;

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
        presenceUrl = RedisTestKeys.url();
    }

    @AfterEach
    void cleanUp() {
        RedisTestKeys.delete(prefix);
    }

    /** Whether the script publishes the events itself. */
    boolean publishInScript() {
        return true;
    }

    @Override
    protected Broker newBroker(String nodeId) {
        return new RedisBroker(new RedisOptions(RedisTestKeys.url(), prefix, nodeId, 100, Duration.ofMinutes(1),
                1_000, Duration.ofSeconds(2)), new TextCodec());
    }

    @Override
    protected RoomPresence newPresence(String nodeId, Broker broker) {
        return new RedisRoomPresence(presenceUrl, prefix, nodeId, new TextCodec(), broker, publishInScript());
    }

    @Override
    protected void settle(RoomPresence presence) {
        await().atMost(WAIT).until(() -> ((RedisRoomPresence) presence).pending() == 0);
    }

    @Override
    protected void reap(RoomPresence survivor, String deadNodeId) {
        ((RedisRoomPresence) survivor).reap(deadNodeId).join();
    }

    private static RedisRoomPresence redis(Node node) {
        return (RedisRoomPresence) node.presence;
    }

    /** The same contract with another fan-out: the script decides and the broker publishes. */
    @Nested
    class ThroughTheBroker extends RoomPresenceContract {
        @Override
        protected Broker newBroker(String nodeId) {
            return RedisRoomPresenceTest.this.newBroker(nodeId);
        }

        @Override
        protected RoomPresence newPresence(String nodeId, Broker broker) {
            return new RedisRoomPresence(RedisTestKeys.url(), prefix, nodeId, new TextCodec(), broker, false);
        }

        @Override
        protected void settle(RoomPresence presence) {
            RedisRoomPresenceTest.this.settle(presence);
        }

        @Override
        protected void reap(RoomPresence survivor, String deadNodeId) {
            RedisRoomPresenceTest.this.reap(survivor, deadNodeId);
        }
    }

    @Test
    void a_change_redis_did_not_take_is_put_back_and_announced_once_it_answers_again() throws Exception {
        TcpProxy proxy = closeAfter(TcpProxy.to(ExternalService.REDIS));
        presenceUrl = "redis://127.0.0.1:" + proxy.port();
        Node a = node("a");
        presenceUrl = RedisTestKeys.url();
        Node b = node("b");
        following(a, b);
        proxy.cut();
        a.connections("dave", 1); // lost: the node marks its share stale
        assertThat(b.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(0, 0));
        proxy.restore();
        await().atMost(WAIT).untilAsserted(() -> {
            redis(a).checkStale(); // what the heartbeat does
            assertThat(b.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(1, 1));
        });
        seenEverywhere(List.of("user_joined dave"), a, b);
    }

    @Test
    void a_node_taken_for_dead_while_alive_puts_its_users_back() {
        Node a = node("a");
        Node b = node("b");
        following(a, b);
        a.connections("dave", 1);
        redis(b).reap("a").join(); // a paused longer than the TTL
        redis(a).markStale(); // its next beat finds itself added to the live nodes again
        redis(a).checkStale();
        a.settled();
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.presence.members(ROOM).join())
                .extracting(RoomPresence.Member::userId).containsExactly("dave"));
        seenEverywhere(List.of("user_joined dave", "user_left dave", "presence dave", "user_joined dave"), a, b);
    }

    @Test
    void counts_name_every_room_asked_about_even_an_empty_one() {
        Node a = node("a");
        a.connections("dave", 1);
        assertThat(a.presence.counts(List.of(ROOM, "empty")).join())
                .containsEntry(ROOM, new RoomPresence.Counts(1, 1))
                .containsEntry("empty", new RoomPresence.Counts(0, 0));
    }
}
