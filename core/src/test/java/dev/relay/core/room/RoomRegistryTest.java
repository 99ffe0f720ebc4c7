package dev.relay.core.room;

import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.testing.MutableClock;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomRegistryTest {
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private final MutableClock clock = new MutableClock(START);

    private RoomRegistry registry(int maxRooms) {
        // Rooms here never publish, so no encoder is needed; history is the real in-memory store.
        RoomContext context = new RoomContext(message -> {
            throw new AssertionError("nothing is encoded in these tests");
        }, new MemoryHistoryStore(10, Duration.ofMinutes(1), clock), clock);
        return new RoomRegistry(context, maxRooms);
    }

    @Test
    void theWellKnownDefaultRoomsGetTheirNamesAndOthersTheirId() {
        RoomRegistry registry = registry(0);

        registry.createDefaults(List.of("general", "announcements", "support", "lobby"));

        assertThat(registry.require("general").name()).isEqualTo("General");
        assertThat(registry.require("general").description()).isEqualTo("通用聊天室");
        assertThat(registry.require("announcements").name()).isEqualTo("Announcements");
        assertThat(registry.require("announcements").description()).isEqualTo("系统公告");
        assertThat(registry.require("support").name()).isEqualTo("Support");
        assertThat(registry.require("support").description()).isEqualTo("技术支持");
        assertThat(registry.require("lobby").name()).isEqualTo("lobby");
        assertThat(registry.require("lobby").description()).isEmpty();
        assertThat(registry.size()).isEqualTo(4);
    }

    @Test
    void aCreatedRoomCanBeFoundAndStartsEmpty() {
        RoomRegistry registry = registry(0);
        clock.advance(Duration.ofMinutes(3));

        Room room = registry.create(new RoomSpec("team", "  Team  ", "  the team  "));

        assertThat(registry.find("team")).containsSame(room);
        assertThat(registry.require("team")).isSameAs(room);
        assertThat(room.info()).isEqualTo(new RoomInfo("team", "Team", "the team", 0, 0, 0, START.plusSeconds(180)));
    }

    @Test
    void aMissingOrBlankNameIsTheIdAndAMissingDescriptionIsEmpty() {
        RoomRegistry registry = registry(0);

        assertThat(registry.create(new RoomSpec("a", null, null)).name()).isEqualTo("a");
        assertThat(registry.create(new RoomSpec("b", "   ", null)).name()).isEqualTo("b");
        assertThat(registry.create(new RoomSpec("c", null, null)).description()).isEmpty();
    }

    @Test
    void lookingUpAMissingRoom() {
        RoomRegistry registry = registry(0);

        assertThat(registry.find("nope")).isEmpty();
        assertThat(registry.find(null)).isEmpty();
        assertRefused(() -> registry.require("nope"), ErrorCode.ROOM_NOT_FOUND);
        assertRefused(() -> registry.require(null), ErrorCode.ROOM_NOT_FOUND);
    }

    @Test
    void idsAreCheckedAndUnique() {
        RoomRegistry registry = registry(0);
        registry.create(new RoomSpec("taken", "First", null));

        assertRefused(() -> registry.create(new RoomSpec("taken", "Second", null)), ErrorCode.ROOM_EXISTS);
        assertRefused(() -> registry.create(new RoomSpec(null, "x", null)), ErrorCode.MISSING_FIELD);
        assertRefused(() -> registry.create(new RoomSpec("", "x", null)), ErrorCode.MISSING_FIELD);
        assertRefused(() -> registry.create(new RoomSpec("no spaces", "x", null)), ErrorCode.INVALID_ROOM_ID);
        assertRefused(() -> registry.create(new RoomSpec("x".repeat(65), "x", null)), ErrorCode.INVALID_ROOM_ID);
        assertThat(registry.create(new RoomSpec("x".repeat(64), null, null)).id()).hasSize(64);
        assertThat(registry.require("taken").name()).isEqualTo("First");
    }

    @Test
    void nameAndDescriptionLengthsAreCountedInCodePointsAfterStripping() {
        RoomRegistry registry = registry(0);
        String name = "😀".repeat(RoomSpec.MAX_NAME_LENGTH);
        String description = "述".repeat(RoomSpec.MAX_DESCRIPTION_LENGTH);

        assertThat(registry.create(new RoomSpec("ok", " " + name + " ", description)).name()).isEqualTo(name);
        assertRefused(() -> registry.create(new RoomSpec("long-name", name + "a", null)), ErrorCode.INVALID_FIELD);
        assertRefused(() -> registry.create(new RoomSpec("long-description", null, description + "a")),
                ErrorCode.INVALID_FIELD);
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void theLimitCountsDefaultRoomsAndHoldsExactly() {
        RoomRegistry registry = registry(3);
        registry.createDefaults(List.of("general", "support"));

        registry.create(new RoomSpec("third", null, null));
        assertRefused(() -> registry.create(new RoomSpec("fourth", null, null)), ErrorCode.ROOM_LIMIT_REACHED);
        assertThat(registry.size()).isEqualTo(3);
    }

    @Test
    void zeroMeansNoLimit() {
        RoomRegistry registry = registry(0);

        IntStream.range(0, 500).forEach(i -> registry.create(new RoomSpec("room-" + i, null, null)));

        assertThat(registry.size()).isEqualTo(500);
    }

    @Test
    void theLimitHoldsUnderConcurrentCreation() throws Exception {
        RoomRegistry registry = registry(10);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            ConcurrentLinkedQueue<ErrorCode> refusals = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> attempts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "r" + i;
                attempts.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                        registry.create(new RoomSpec(id, null, null));
                    } catch (ProtocolException refused) {
                        refusals.add(refused.code());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new)).get();

            assertThat(registry.size()).isEqualTo(10);
            assertThat(refusals).hasSize(30).containsOnly(ErrorCode.ROOM_LIMIT_REACHED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sortedListsOldestFirstThenById() {
        RoomRegistry registry = registry(0);
        registry.create(new RoomSpec("zeta", null, null));
        registry.create(new RoomSpec("alpha", null, null));
        clock.advance(Duration.ofSeconds(1));
        registry.create(new RoomSpec("beta", null, null));
        clock.set(START.minusSeconds(1));
        registry.create(new RoomSpec("older", null, null));

        assertThat(registry.sorted()).extracting(Room::id).containsExactly("older", "alpha", "zeta", "beta");
    }

    private static void assertRefused(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class,
                refused -> assertThat(refused.code()).isEqualTo(code));
    }
}
