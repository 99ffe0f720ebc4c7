package dev.relay.core.delivery;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.TestConnection;
import dev.relay.core.testing.TestEncoder;
import dev.relay.core.testing.TestFrame;
import dev.relay.core.testing.TestLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batching, flushing, the queue limit and failure isolation of the delivery lanes, below the hub. */
class DeliveryLaneTest {
    private static final int LIMIT = 100_000;

    private final TestEncoder encoder = new TestEncoder();
    private final List<TestLoop> loops = new ArrayList<>();
    private final TestLoop loop1 = newLoop("loop-1");
    private final TestLoop loop2 = newLoop("loop-2");

    @AfterEach
    void nothingLeaked() {
        try {
            TestLoop.syncAll(loops);
            for (TestLoop loop : loops) {
                assertThat(loop.violations()).as("threading violations on " + loop.name()).isEmpty();
            }
            assertThat(encoder.misuses()).isEmpty();
            assertThat(encoder.liveFrames()).as("frames still referenced").isZero();
        } finally {
            loops.forEach(TestLoop::close);
        }
    }

    @Test
    void deliveriesQueuedWhileTheLoopIsBusyAreWrittenInOrderWithOneFlushPerConnection() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        List<TestConnection> members = join(audience, lane, 3);
        int count = 100;
        CountDownLatch busy = loop1.block();
        long tasksBefore = loop1.executedTasks();

        for (int i = 0; i < count; i++) {
            assertThat(deliver(audience, "m" + i)).isTrue();
        }
        assertThat(lane.queued()).isEqualTo(count);
        members.forEach(member -> assertThat(member.writeCount()).isZero());
        busy.countDown();
        loop1.sync();

        for (TestConnection member : members) {
            assertThat(contents(member)).as(member.toString()).containsExactlyElementsOf(sequence(count));
            assertThat(member.flushCount()).as("flushes of " + member).isEqualTo(1);
            assertThat(member.unflushedCount()).isZero();
        }
        assertThat(loop1.executedTasks() - tasksBefore).as("tasks run for the batch").isEqualTo(1);
        assertThat(lane.queued()).isZero();
    }

    @Test
    void aLongBacklogIsDrainedInFewBatchesAndStillInOrder() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        List<TestConnection> members = join(audience, lane, 2);
        int count = 1_000;
        CountDownLatch busy = loop1.block();

        for (int i = 0; i < count; i++) {
            deliver(audience, "m" + i);
        }
        busy.countDown();
        loop1.sync();

        for (TestConnection member : members) {
            assertThat(contents(member)).containsExactlyElementsOf(sequence(count));
            assertThat(member.flushCount()).as("one flush per batch, not per message")
                    .isPositive().isLessThanOrEqualTo(count / 100);
        }
    }

    @Test
    void anIdleLaneWritesAndFlushesASingleDeliveryAtOnce() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        TestConnection member = join(audience, lane, 1).getFirst();

        deliver(audience, "alone");
        loop1.sync();

        assertThat(contents(member)).containsExactly("alone");
        assertThat(member.flushCount()).isEqualTo(1);
    }

    @Test
    void deliveringCostsOneTaskPerLoopNotOnePerMember() {
        Audience audience = new Audience();
        List<TestConnection> members = joinBoth(audience, new DeliveryLane(loop1, LIMIT),
                new DeliveryLane(loop2, LIMIT), 5);
        long before1 = loop1.executedTasks();
        long before2 = loop2.executedTasks();

        deliver(audience, "to ten");
        TestLoop.syncAll(loops);

        assertThat(loop1.executedTasks() - before1).isEqualTo(1);
        assertThat(loop2.executedTasks() - before2).isEqualTo(1);
        members.forEach(member -> assertThat(contents(member)).containsExactly("to ten"));
        assertThat(audience.size()).isEqualTo(10);
    }

    @Test
    void deliveriesHandedOverWhileWakeupsAreHeldWaitForTheHoldToEndThenGoOutInOneTaskPerLoop() {
        DeliveryLane lane1 = new DeliveryLane(loop1, LIMIT);
        DeliveryLane lane2 = new DeliveryLane(loop2, LIMIT);
        Audience audience = new Audience();
        List<TestConnection> members = joinBoth(audience, lane1, lane2, 3);
        long before1 = loop1.executedTasks();
        long before2 = loop2.executedTasks();
        int count = 20;

        DeliveryLane.holdingWakeups(() -> {
            for (int i = 0; i < count; i++) {
                deliver(audience, "m" + i);
            }
            TestLoop.syncAll(loops);
            members.forEach(member -> assertThat(member.writeCount()).as("written during the hold").isZero());
            assertThat(lane1.queued()).isEqualTo(count);
            assertThat(lane2.queued()).isEqualTo(count);
        });
        TestLoop.syncAll(loops);

        for (TestConnection member : members) {
            assertThat(contents(member)).as(member.toString()).containsExactlyElementsOf(sequence(count));
            assertThat(member.flushCount()).as("flushes of " + member).isEqualTo(1);
        }
        assertThat(loop1.executedTasks() - before1).as("tasks on loop 1").isEqualTo(1);
        assertThat(loop2.executedTasks() - before2).as("tasks on loop 2").isEqualTo(1);
    }

    @Test
    void aNestedHoldEndsWithTheOutermostAndAHoldThatThrowsStillWakesItsLanes() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        TestConnection member = join(audience, lane, 1).getFirst();

        DeliveryLane.holdingWakeups(() -> {
            DeliveryLane.holdingWakeups(() -> deliver(audience, "inner"));
            loop1.sync();
            assertThat(member.writeCount()).as("after the inner hold").isZero();
        });
        loop1.sync();
        assertThat(contents(member)).containsExactly("inner");

        assertThatThrownBy(() -> DeliveryLane.holdingWakeups(() -> {
            deliver(audience, "before the failure");
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        loop1.sync();
        assertThat(contents(member)).containsExactly("inner", "before the failure");

        deliver(audience, "unheld");
        loop1.sync();
        assertThat(contents(member)).as("the thread holds nothing any more").endsWith("unheld");
    }

    @Test
    void aReplyToOneConnectionGoesOutInOrderWithTheBatchAndIsNotCountedAsAFanOutDelivery() {
        List<int[]> batches = new ArrayList<>();
        List<Long> bytes = new ArrayList<>();
        LaneObserver observer = new LaneObserver() {
            @Override
            public void flushed(int writes, long written, long flushedNanos, long[] acceptedNanos, int count) {
                batches.add(new int[]{writes, count});
                bytes.add(written);
            }
        };
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT, observer, System::nanoTime);
        Audience audience = new Audience();
        List<TestConnection> members = join(audience, lane, 2);
        Outbox replyTo = outboxOf(audience, members.getFirst());
        CountDownLatch busy = loop1.block();

        deliver(audience, "m0");
        send(replyTo, "reply");
        deliver(audience, "m1");
        busy.countDown();
        loop1.sync();

        assertThat(contents(members.get(0))).containsExactly("m0", "reply", "m1");
        assertThat(contents(members.get(1))).containsExactly("m0", "m1");
        members.forEach(member -> assertThat(member.flushCount()).as("flushes of " + member).isEqualTo(1));
        assertThat(batches).as("one batch: 4 fan-out writes of 2 deliveries").hasSize(1);
        assertThat(batches.getFirst()).containsExactly(4, 2);
        assertThat(bytes.getFirst()).as("bytes include the reply's").isEqualTo(4L * "m0".length() + "reply".length());

        send(replyTo, "alone");
        loop1.sync();
        assertThat(contents(members.get(0))).endsWith("alone");
        assertThat(batches).as("a batch of a reply alone is reported for its bytes").hasSize(2);
        assertThat(batches.get(1)).containsExactly(0, 0);
    }

    @Test
    void aFullLaneRefusesFurtherDeliveriesUntilItDrains() {
        int limit = 8;
        DeliveryLane lane = new DeliveryLane(loop1, limit);
        Audience audience = new Audience();
        TestConnection member = join(audience, lane, 1).getFirst();
        CountDownLatch busy = loop1.block();

        for (int i = 0; i < limit; i++) {
            assertThat(deliver(audience, "m" + i)).as("delivery " + i + " of " + limit).isTrue();
        }
        assertThat(deliver(audience, "refused")).isFalse();
        assertThat(deliverToUnion(List.of(audience), null, "refused too")).isFalse();
        assertThat(lane.queued()).isEqualTo(limit);

        busy.countDown();
        loop1.sync();
        assertThat(contents(member)).containsExactlyElementsOf(sequence(limit));
        assertThat(lane.queued()).isZero();

        assertThat(deliver(audience, "room again")).isTrue();
        loop1.sync();
        assertThat(contents(member)).last().isEqualTo("room again");
    }

    @Test
    void aRefusedDeliveryReachesNoOneEvenOnLanesWithRoom() {
        DeliveryLane roomy = new DeliveryLane(loop1, LIMIT);
        DeliveryLane full = new DeliveryLane(loop2, 1);
        Audience audience = new Audience();
        TestConnection onRoomy = join(audience, roomy, 1).getFirst();
        TestConnection onFull = join(audience, full, 1).getFirst();
        CountDownLatch busy = loop2.block();

        assertThat(deliver(audience, "first")).isTrue();
        assertThat(deliver(audience, "second")).isFalse();
        assertThat(deliverToUnion(List.of(audience), null, "third")).isFalse();
        loop1.sync();
        assertThat(contents(onRoomy)).containsExactly("first");

        busy.countDown();
        TestLoop.syncAll(loops);
        assertThat(contents(onFull)).containsExactly("first");
    }

    @Test
    void aConnectionWhoseWriteThrowsDoesNotStopDeliveryToTheOthers() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        List<TestConnection> members = join(audience, lane, 3);
        TestConnection broken = members.get(1);
        broken.failWrites(true);
        CountDownLatch busy = loop1.block();

        for (int i = 0; i < 3; i++) {
            deliver(audience, "m" + i);
        }
        deliverToUnion(List.of(audience), null, "union");
        Logger laneLog = Logger.getLogger(DeliveryLane.class.getName());
        Level level = laneLog.getLevel();
        laneLog.setLevel(Level.OFF); // the lane logs each failed write; expected here
        try {
            busy.countDown();
            loop1.sync();
        } finally {
            laneLog.setLevel(level);
        }

        for (TestConnection healthy : List.of(members.get(0), members.get(2))) {
            assertThat(contents(healthy)).containsExactly("m0", "m1", "m2", "union");
            assertThat(healthy.flushCount()).isEqualTo(1);
        }
        assertThat(broken.received()).isEmpty();
        assertThat(broken.writeCount()).isEqualTo(4);
        assertThat(broken.flushCount()).as("nothing was written, nothing to flush").isZero();
    }

    @Test
    void aUnionReachesEachConnectionOnceAndLeavesOutTheExcludedOne() {
        DeliveryLane lane1 = new DeliveryLane(loop1, LIMIT);
        DeliveryLane lane2 = new DeliveryLane(loop2, LIMIT);
        Audience first = new Audience();
        Audience second = new Audience();
        TestConnection inBoth = new TestConnection(loop1, "in-both");
        Outbox inBothOutbox = lane1.outboxFor(inBoth);
        loop1.run(() -> {
            first.add(inBothOutbox);
            second.add(inBothOutbox);
        });
        TestConnection onlyFirst = join(first, lane2, 1).getFirst();
        TestConnection inBothOnLoop2 = new TestConnection(loop2, "in-both-2");
        Outbox inBothOnLoop2Outbox = lane2.outboxFor(inBothOnLoop2);
        loop2.run(() -> {
            first.add(inBothOnLoop2Outbox);
            second.add(inBothOnLoop2Outbox);
        });
        TestConnection sender = join(second, lane1, 1).getFirst();
        Outbox senderOutbox = outboxOf(second, sender);

        assertThat(deliverToUnion(List.of(first, second), senderOutbox, "u1")).isTrue();
        assertThat(deliverToUnion(List.of(first, second), null, "u2")).isTrue();
        TestLoop.syncAll(loops);

        assertThat(contents(inBoth)).containsExactly("u1", "u2");
        assertThat(contents(inBothOnLoop2)).containsExactly("u1", "u2");
        assertThat(contents(onlyFirst)).containsExactly("u1", "u2");
        assertThat(contents(sender)).containsExactly("u2");
    }

    @Test
    void aRemovedMemberGetsNothingMoreAndRemovingTwiceIsHarmless() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        TestConnection staying = new TestConnection(loop1, "staying");
        TestConnection leaving = new TestConnection(loop1, "leaving");
        Slot leavingSlot = loop1.call(() -> {
            audience.add(lane.outboxFor(staying));
            return audience.add(lane.outboxFor(leaving));
        });
        deliver(audience, "before");

        loop1.run(() -> {
            audience.remove(leavingSlot);
            audience.remove(leavingSlot);
        });
        deliver(audience, "after");
        loop1.sync();

        assertThat(audience.size()).isEqualTo(1);
        assertThat(contents(staying)).containsExactly("before", "after");
        assertThat(contents(leaving)).containsExactly("before");
    }

    @Test
    void removingFromTheMiddleKeepsTheOtherMembers() {
        DeliveryLane lane = new DeliveryLane(loop1, LIMIT);
        Audience audience = new Audience();
        List<TestConnection> connections = IntStream.range(0, 6)
                .mapToObj(i -> new TestConnection(loop1, "c" + i)).toList();
        List<Slot> slots = loop1.call(() -> connections.stream()
                .map(connection -> audience.add(lane.outboxFor(connection))).toList());

        loop1.run(() -> {
            audience.remove(slots.get(1));
            audience.remove(slots.get(4));
            audience.remove(slots.get(0));
        });
        deliver(audience, "who is left");
        loop1.sync();

        assertThat(connections).filteredOn(connection -> !connection.received().isEmpty())
                .extracting(TestConnection::remoteAddress).containsExactlyInAnyOrder("c2", "c3", "c5");
    }

    @Test
    void deliveriesToALoopThatIsShutDownAreReleased() {
        TestLoop doomed = newLoop("doomed");
        DeliveryLane lane = new DeliveryLane(doomed, LIMIT);
        Audience audience = new Audience();
        join(audience, lane, 2);
        doomed.close();

        deliver(audience, "into the void");

        assertThat(lane.queued()).isZero();
        assertThat(encoder.liveFrames()).isZero();
    }

    @Test
    void theQueueLimitMustBePositive() {
        assertThatThrownBy(() -> new DeliveryLane(loop1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ----

    private TestLoop newLoop(String name) {
        TestLoop loop = new TestLoop(name);
        loops.add(loop);
        return loop;
    }

    /** Adds {@code count} new connections of the lane's loop to the audience, on that loop. */
    private List<TestConnection> join(Audience audience, DeliveryLane lane, int count) {
        TestLoop loop = (TestLoop) lane.executor();
        List<TestConnection> connections = IntStream.range(0, count)
                .mapToObj(i -> new TestConnection(loop, loop.name() + "/c" + i)).toList();
        loop.run(() -> connections.forEach(connection -> audience.add(lane.outboxFor(connection))));
        return connections;
    }

    /** {@code perLoop} new connections on each of the two lanes' loops. */
    private List<TestConnection> joinBoth(Audience audience, DeliveryLane lane1, DeliveryLane lane2, int perLoop) {
        List<TestConnection> members = new ArrayList<>(join(audience, lane1, perLoop));
        members.addAll(join(audience, lane2, perLoop));
        return members;
    }

    private static Outbox outboxOf(Audience audience, TestConnection connection) {
        for (Shard shard : shards(audience)) {
            for (int i = 0; i < shard.count; i++) {
                if (shard.slots[i].outbox.connection == connection) {
                    return shard.slots[i].outbox;
                }
            }
        }
        throw new AssertionError(connection + " is not in the audience");
    }

    private static Shard[] shards(Audience audience) {
        try {
            var field = Audience.class.getDeclaredField("shards");
            field.setAccessible(true);
            return (Shard[]) field.get(audience);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Encodes, delivers and drops the publisher's reference, as the hub does. */
    private boolean deliver(Audience audience, String content) {
        TestFrame frame = encoder.encode(message(content));
        try {
            return audience.deliver(frame);
        } finally {
            frame.release();
        }
    }

    private void send(Outbox outbox, String content) {
        TestFrame frame = encoder.encode(message(content));
        try {
            outbox.send(frame);
        } finally {
            frame.release();
        }
    }

    private boolean deliverToUnion(List<Audience> audiences, Outbox except, String content) {
        TestFrame frame = encoder.encode(message(content));
        try {
            return Audience.deliverToUnion(frame, audiences, except);
        } finally {
            frame.release();
        }
    }

    private static ServerMessage message(String content) {
        return new ServerMessage(null, MessageType.ROOM_MESSAGE, "tester", null, "room", content, null, Instant.EPOCH);
    }

    private static List<String> contents(TestConnection connection) {
        return connection.messages().stream().map(ServerMessage::content).toList();
    }

    private static List<String> sequence(int count) {
        return IntStream.range(0, count).mapToObj(i -> "m" + i).toList();
    }
}
