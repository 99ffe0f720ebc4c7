package dev.relay.core.history;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory history: what it keeps (by count and by age), and that it never answers with a partial range. */
class MemoryHistoryStoreTest {
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private static final String EPOCH = "epoch-aa";

    private final MutableClock clock = new MutableClock(START);

    @Test
    void aRangeHoldsTheMessagesAfterTheFirstPositionUpToTheSecondInOrder() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        List<ServerMessage> appended = appendSeqs(store, "general", 1, 5);

        assertThat(store.range("general", EPOCH, 0, 5)).contains(appended);
        assertThat(store.range("general", EPOCH, 1, 3)).contains(appended.subList(1, 3));
        assertThat(store.range("general", EPOCH, 4, 5)).contains(List.of(appended.get(4)));
        assertThat(store.range("general", EPOCH, 0, 5).orElseThrow()).extracting(ServerMessage::seq)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aRangeReachingPastTheNewestMessageIsNotGivenInPart() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 3);

        assertThat(store.range("general", EPOCH, 0, 3)).isPresent();
        assertThat(store.range("general", EPOCH, 0, 4)).isEmpty();
        assertThat(store.range("general", EPOCH, 3, 4)).isEmpty();
    }

    @Test
    void roomsAreKeptApart() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        List<ServerMessage> general = appendSeqs(store, "general", 1, 2);
        List<ServerMessage> support = appendSeqs(store, "support", 1, 3);

        assertThat(store.range("general", EPOCH, 0, 2)).contains(general);
        assertThat(store.range("support", EPOCH, 0, 3)).contains(support);
        assertThat(store.range("general", EPOCH, 0, 3)).isEmpty();
        assertThat(store.range("nowhere", EPOCH, 0, 1)).isEmpty();
    }

    @Test
    void theSizeCapDropsTheOldestAndARangeStartingAtTheOldestKeptIsStillWhole() {
        MemoryHistoryStore store = new MemoryHistoryStore(3, Duration.ofMinutes(10), clock);
        List<ServerMessage> appended = appendSeqs(store, "general", 1, 5); // keeps 3, 4, 5

        assertThat(store.range("general", EPOCH, 2, 5)).as("starts exactly at the oldest kept, seq 3")
                .contains(appended.subList(2, 5));
        assertThat(store.range("general", EPOCH, 1, 5)).as("needs seq 2, which was dropped: a gap").isEmpty();
        assertThat(store.range("general", EPOCH, 0, 5)).isEmpty();
        assertThat(store.range("general", EPOCH, 1, 3)).as("a gap even when the range ends inside what is kept")
                .isEmpty();
    }

    @Test
    void aCapOfOneKeepsOnlyTheNewest() {
        MemoryHistoryStore store = new MemoryHistoryStore(1, Duration.ofMinutes(10), clock);
        List<ServerMessage> appended = appendSeqs(store, "general", 1, 2);

        assertThat(store.range("general", EPOCH, 1, 2)).contains(List.of(appended.get(1)));
        assertThat(store.range("general", EPOCH, 0, 2)).isEmpty();
    }

    @Test
    void aMessageIsKeptForExactlyTheTtlAndGoneOneMillisecondLater() {
        Duration ttl = Duration.ofSeconds(10);
        MemoryHistoryStore store = new MemoryHistoryStore(100, ttl, clock);
        ServerMessage first = append(store, "general", 1);
        clock.advance(Duration.ofSeconds(5));
        ServerMessage second = append(store, "general", 2);

        clock.set(START.plus(ttl));
        assertThat(store.range("general", EPOCH, 0, 2)).as("the first is exactly ttl old").contains(List.of(first, second));

        clock.set(START.plus(ttl).plusMillis(1));
        assertThat(store.range("general", EPOCH, 0, 2)).as("the first has expired: a gap").isEmpty();
        assertThat(store.range("general", EPOCH, 1, 2)).as("the second is younger").contains(List.of(second));

        clock.set(START.plusSeconds(5).plus(ttl).plusMillis(1));
        assertThat(store.range("general", EPOCH, 1, 2)).isEmpty();
    }

    @Test
    void expiryAlsoHappensOnAppendSoAnExpiredHeadNeverComesBack() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofSeconds(10), clock);
        append(store, "general", 1);
        clock.advance(Duration.ofSeconds(11));
        ServerMessage second = append(store, "general", 2);

        assertThat(store.range("general", EPOCH, 0, 2)).isEmpty();
        assertThat(store.range("general", EPOCH, 1, 2)).contains(List.of(second));
    }

    @Test
    void anotherEpochGetsNothing() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 3);

        assertThat(store.range("general", "epoch-bb", 0, 3)).isEmpty();
        assertThat(store.range("general", "epoch-bb", 2, 3)).isEmpty();
        assertThat(store.range("general", EPOCH, 2, 3)).isPresent();
    }

    @Test
    void anEmptyOrBackwardsRangeIsAnEmptyListNotAGap() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 3);

        assertThat(store.range("general", EPOCH, 3, 3)).contains(List.of());
        assertThat(store.range("general", EPOCH, 3, 2)).contains(List.of());
        assertThat(store.range("nowhere", "any", 7, 7)).as("nothing is missing, whatever the room").contains(List.of());
    }

    @Test
    void aCapOfZeroKeepsNothing() {
        MemoryHistoryStore store = new MemoryHistoryStore(0, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 2);

        assertThat(store.range("general", EPOCH, 1, 2)).isEmpty();
        assertThat(store.range("general", EPOCH, 0, 2)).isEmpty();
        assertThat(store.range("general", EPOCH, 2, 2)).contains(List.of());
    }

    @Test
    void forgetDropsARoomAndLeavesTheOthers() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 2);
        List<ServerMessage> support = appendSeqs(store, "support", 1, 2);

        store.forget("general");

        assertThat(store.range("general", EPOCH, 0, 2)).isEmpty();
        assertThat(store.range("support", EPOCH, 0, 2)).contains(support);
        store.forget("nowhere"); // nothing to forget is fine
    }

    @Test
    void memoryRemembersNoPositionSoEveryStartIsANewEpoch() {
        MemoryHistoryStore store = new MemoryHistoryStore(100, Duration.ofMinutes(10), clock);
        appendSeqs(store, "general", 1, 2);

        assertThat(store.lastPosition("general")).isEmpty();
        assertThat(store.lastPosition("nowhere")).isEmpty();
    }

    @Test
    void negativeLimitsAreRefused() {
        assertThatThrownBy(() -> new MemoryHistoryStore(-1, Duration.ofMinutes(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryHistoryStore(1, Duration.ofMillis(-1), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private List<ServerMessage> appendSeqs(MemoryHistoryStore store, String roomId, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(seq -> append(store, roomId, seq)).toList();
    }

    private ServerMessage append(MemoryHistoryStore store, String roomId, long seq) {
        ServerMessage message = new ServerMessage("id-" + roomId + "-" + seq, MessageType.ROOM_MESSAGE, "alice", null,
                roomId, "message " + seq, null, clock.instant()).at(seq, EPOCH);
        store.append(message);
        return message;
    }
}
