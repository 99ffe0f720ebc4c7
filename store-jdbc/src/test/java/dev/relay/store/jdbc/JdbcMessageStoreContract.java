package dev.relay.store.jdbc;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.MessageStoreContract;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.RoomRecord;
import dev.relay.core.store.SearchQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What every JDBC dialect must do the same, beyond core's {@link MessageStoreContract} (pages, conversations,
 * search, closed rooms): where streams stood, offline messages held in order within their bound and across a
 * reopen, acks at commit, the queue bound, retention, and a close that flushes.
 */
abstract class JdbcMessageStoreContract extends MessageStoreContract {
    private final List<JdbcMessageStore> opened = new ArrayList<>();

    /** Where this dialect's database is, the same for every store a test opens. */
    abstract String jdbcUrl();

    /** The PostgreSQL schema of this test, or null. */
    abstract String schema();

    JdbcMessageStore open(int queueCapacity, Duration batchDelay, int offlineMax, boolean ackAfterPersist) {
        JdbcMessageStore store = JdbcMessageStore.open(new JdbcStoreSettings(jdbcUrl(), schema(), queueCapacity, 100,
                batchDelay, offlineMax, ackAfterPersist), Clock.systemUTC());
        opened.add(store);
        return store;
    }

    JdbcMessageStore open() {
        return open(10_000, Duration.ofMillis(2), 1000, true);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcMessageStore::close);
    }

    @Override
    protected MessageStore store() {
        return open();
    }

    /** With ack_after_persist every write hands out a future, completed at commit. */
    @Override
    protected void accept(MessageStore store, ServerMessage message) {
        CompletableFuture<Void> future = store.accepted(message);
        assertThat(future).as("ack_after_persist hands out a future").isNotNull();
        future.join();
    }

    @Test
    void lastPositionsNameEachRoomsLatestEpochAndItsHighestSeq() {
        JdbcMessageStore store = open();
        kept(store.accepted(room("general", "old", 7, "a", "x", T0)));
        kept(store.accepted(room("general", "new", 1, "a", "x", T0)));
        kept(store.accepted(room("general", "new", 2, "a", "x", T0)));
        kept(store.accepted(room("support", "s", 3, "a", "x", T0)));

        assertThat(store.lastPositions()).containsEntry("general", new StreamPosition("new", 2))
                .containsEntry("support", new StreamPosition("s", 3)).hasSize(2);
        assertThat(store.recent("general", "new", 10)).extracting(ServerMessage::seq).containsExactly(1L, 2L);
    }

    @Test
    void offlineMessagesAreReleasedOnceInOrderAndSurviveAReopen() {
        JdbcMessageStore store = open();
        kept(store.hold(direct("alice", "bob", "one", T0)));
        kept(store.hold(direct("carol", "bob", "two", T0)));
        kept(store.hold(direct("alice", "dave", "for dave", T0)));
        store.close();

        JdbcMessageStore reopened = open();
        OfflineDelivery delivery = reopened.release("bob").join();
        assertThat(delivery.messages()).extracting(ServerMessage::content).containsExactly("one", "two");
        assertThat(delivery.dropped()).isZero();
        assertThat(reopened.release("bob").join().isEmpty()).as("released once").isTrue();
        assertThat(reopened.conversation("alice", "bob", null, 10).messages()).as("still in history").hasSize(1);
        assertThat(reopened.release("dave").join().messages()).extracting(ServerMessage::content)
                .containsExactly("for dave");
    }

    @Test
    void offlineMessagesOverTheBoundDropTheOldestAndCountThem() {
        JdbcMessageStore store = open(10_000, Duration.ofMillis(2), 3, true);
        for (int i = 1; i <= 3; i++) {
            kept(store.hold(direct("alice", "bob", "m" + i, T0.plusSeconds(i))));
        }
        assertThat(store.release("bob").join()).satisfies(atTheBound -> {
            assertThat(atTheBound.messages()).hasSize(3);
            assertThat(atTheBound.dropped()).isZero();
        });

        for (int i = 1; i <= 5; i++) {
            kept(store.hold(direct("alice", "bob", "n" + i, T0.plusSeconds(10 + i))));
        }
        OfflineDelivery over = store.release("bob").join();
        assertThat(over.messages()).extracting(ServerMessage::content).containsExactly("n3", "n4", "n5");
        assertThat(over.dropped()).isEqualTo(2);
    }

    @Test
    void withoutAckAfterPersistNothingWaitsAndTheMessageIsStillWritten() {
        JdbcMessageStore store = open(10_000, Duration.ofMillis(2), 1000, false);

        assertThat(store.accepted(room("general", "e", 1, "a", "fire and forget", T0))).isNull();

        await().until(() -> store.roomMessages("general", "e", null, 10).messages().size() == 1);
    }

    @Test
    void aFullQueueRefusesWithTemporarilyUnavailableAndAcceptsAgainOnceWritten() {
        // A long batch delay keeps the first messages queued while the test checks the bound on both sides.
        JdbcMessageStore store = open(2, Duration.ofSeconds(2), 1000, true);
        store.checkCapacity();
        CompletableFuture<Void> first = store.accepted(room("general", "e", 1, "a", "1", T0));
        store.checkCapacity(); // one below the bound
        CompletableFuture<Void> second = store.accepted(room("general", "e", 2, "a", "2", T0));

        assertThatThrownBy(store::checkCapacity).isInstanceOfSatisfying(ProtocolException.class,
                refused -> assertThat(refused.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE));

        CompletableFuture.allOf(first, second).join();
        store.checkCapacity();
        assertThat(store.queued()).isZero();
    }

    @Test
    void closeWritesEverythingQueued() {
        JdbcMessageStore store = open(10_000, Duration.ofSeconds(5), 1000, false);
        for (int seq = 1; seq <= 250; seq++) {
            store.accepted(room("general", "e", seq, "a", "m" + seq, T0));
        }
        store.close();

        assertThat(open().roomMessages("general", "e", null, 1000).messages()).hasSize(250);
        assertThatThrownBy(store::checkCapacity).isInstanceOf(ProtocolException.class);
    }

    @Test
    void roomsCreatedAtRuntimeAreKeptAcrossAReopenUntilClosed() {
        JdbcMessageStore store = open();
        store.roomCreated(new dev.relay.core.store.RoomRecord("tech", "技术支持", "questions", null));
        store.roomCreated(new dev.relay.core.store.RoomRecord("board", "Board", null, Set.of("alice", "bob")));
        store.roomCreated(new dev.relay.core.store.RoomRecord("gone", null, null, null));
        store.roomClosed("gone", "e");
        store.close();

        JdbcMessageStore reopened = open();
        assertThat(reopened.rooms()).containsExactlyInAnyOrder(
                new dev.relay.core.store.RoomRecord("tech", "技术支持", "questions", null),
                new dev.relay.core.store.RoomRecord("board", "Board", null, Set.of("alice", "bob")));
    }

    @Test
    void aClosedRoomsStreamIsDeletedEverywhereAndARoomCreatedAgainUnderItsIdStartsEmpty() {
        JdbcMessageStore store = open();
        store.roomCreated(new RoomRecord("vault", null, null, Set.of("alice")));
        int stored = 2 * JdbcMessageStore.CLOSE_BATCH + 1; // three delete batches, the last one short
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int seq = 1; seq <= stored; seq++) {
            writes.add(store.accepted(room("vault", "old", seq, "alice", "secret plan " + seq, T0)));
        }
        writes.forEach(MessageStoreContract::kept);
        kept(store.accepted(room("general", "g", 1, "alice", "secret elsewhere", T0)));

        store.roomClosed("vault", "old");
        CompletableFuture<Void> late = store.accepted(room("vault", "old", stored + 1, "alice", "secret late", T0));
        store.roomCreated(new RoomRecord("vault", null, null, null));
        kept(store.accepted(room("vault", "new", 1, "bob", "fresh start", T0.plusSeconds(1))));
        kept(late);

        assertOnlyTheNewRoomIsLeft(store);
        store.close();
        assertOnlyTheNewRoomIsLeft(open());
    }

    private static void assertOnlyTheNewRoomIsLeft(JdbcMessageStore store) {
        assertThat(store.roomMessages("vault", "old", null, 10).messages()).as("history of the old stream").isEmpty();
        assertThat(store.recent("vault", "old", 10)).as("resume cache of the old stream").isEmpty();
        assertThat(search(store, new SearchQuery("secret", null, null, null, null, 50, "root", null)))
                .as("search, even for an admin").containsExactly("secret elsewhere");
        assertThat(search(store, new SearchQuery("secret", "vault", null, null, null, 50, "bob", Set.of("vault"))))
                .isEmpty();
        assertThat(store.lastPositions()).as("where streams continue after a restart")
                .containsEntry("vault", new StreamPosition("new", 1)).containsEntry("general", new StreamPosition("g", 1))
                .hasSize(2);
        assertThat(store.rooms()).containsExactly(new RoomRecord("vault", null, null, null));
    }

    @Test
    void aClosedRoomLeavesNoPositionBehindForTheNextStart() {
        JdbcMessageStore store = open();
        store.roomCreated(new RoomRecord("vault", null, null, Set.of("alice")));
        kept(store.accepted(room("vault", "old", 1, "alice", "secret", T0)));
        store.roomClosed("vault", "old");
        store.close();

        JdbcMessageStore reopened = open();
        assertThat(reopened.lastPositions()).doesNotContainKey("vault");
        assertThat(reopened.rooms()).isEmpty();
    }

    @Test
    void retentionDeletesOnlyOlderMessagesInBatches() {
        JdbcMessageStore store = open();
        for (int seq = 1; seq <= 5; seq++) {
            kept(store.accepted(room("general", "e", seq, "a", "old " + seq, T0.minus(Duration.ofDays(40)))));
        }
        kept(store.accepted(room("general", "e", 6, "a", "new", T0)));

        Instant cutoff = T0.minus(Duration.ofDays(30));
        assertThat(store.deleteOlderThan(cutoff, 2)).isEqualTo(2);
        assertThat(store.deleteOlderThan(cutoff, 100)).isEqualTo(3);
        assertThat(store.deleteOlderThan(cutoff, 100)).isZero();
        assertThat(store.roomMessages("general", "e", null, 10).messages()).extracting(ServerMessage::content)
                .containsExactly("new");
        SearchQuery all = new SearchQuery("old", null, null, null, null, 10, "root", null);
        assertThat(store.search(all)).as("the full-text index follows deletes").isEmpty();
    }
}
