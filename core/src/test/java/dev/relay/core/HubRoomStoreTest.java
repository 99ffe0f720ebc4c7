package dev.relay.core;

import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.store.MemoryMessageStore;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.RoomRecord;
import dev.relay.core.store.SearchHit;
import dev.relay.core.store.SearchQuery;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.history.StreamPosition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Rooms created at runtime are handed to the store, forgotten when closed, and created again from it at startup. */
class HubRoomStoreTest extends HubTestSupport {
    /** A memory store that also records the rooms it is told about. */
    private final class RecordingStore implements MessageStore {
        final MemoryMessageStore memory = new MemoryMessageStore(new MemoryHistoryStore(10, Duration.ofMinutes(1),
                clock), new MemoryOfflineMessages(10, Duration.ofMinutes(1), clock), 10, Duration.ofMinutes(1), clock);
        final List<Object> rooms = new CopyOnWriteArrayList<>();

        @Override
        public java.util.Optional<ServerMessage> message(String id) {
            return memory.message(id);
        }

        @Override
        public void roomCreated(RoomRecord room) {
            rooms.add(room);
        }

        @Override
        public void roomClosed(String roomId, String epoch) {
            rooms.add("closed " + roomId);
        }

        @Override
        public CompletableFuture<Void> accepted(ServerMessage message) {
            return memory.accepted(message);
        }

        @Override
        public CompletableFuture<Void> hold(ServerMessage message) {
            return memory.hold(message);
        }

        @Override
        public CompletableFuture<OfflineDelivery> release(String userId) {
            return memory.release(userId);
        }

        @Override
        public Page roomMessages(String roomId, String epoch, Long beforeSeq, int limit) {
            return memory.roomMessages(roomId, epoch, beforeSeq, limit);
        }

        @Override
        public Page conversation(String userA, String userB, Instant before, int limit) {
            return memory.conversation(userA, userB, before, limit);
        }

        @Override
        public List<SearchHit> search(SearchQuery query) {
            return memory.search(query);
        }

        @Override
        public Map<String, StreamPosition> lastPositions() {
            return Map.of();
        }

        @Override
        public List<ServerMessage> recent(String roomId, String epoch, int limit) {
            return List.of();
        }

        @Override
        public int deleteOlderThan(Instant cutoff, int batch) {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void createdAndClosedRoomsAreHandedToTheStore() {
        RecordingStore store = new RecordingStore();
        build(b -> b.messageStore(store));

        hub().admin().createRoom(admin("root"), new RoomSpec("tech", "Tech", "questions"));
        hub().admin().createRoom(admin("root"), new RoomSpec("board", "Board", null), true, Set.of("alice"));
        hub().admin().closeRoom(admin("root"), "tech").join();

        assertThat(store.rooms).containsExactly(new RoomRecord("tech", "Tech", "questions", null),
                new RoomRecord("board", "Board", null, Set.of("alice", "root")), "closed tech");
    }

    @Test
    void restoredRoomsExistWithTheirAccessListsAndExistingOrImpossibleOnesAreSkipped() {
        configure(settings -> settings.maxRooms = 5); // general, announcements, support + 2

        build(b -> b.keptRooms(List.of(new RoomRecord("general", "dup", null, null),
                new RoomRecord("tech", "Tech", null, null), new RoomRecord("board", "Board", null, Set.of("alice")),
                new RoomRecord("one-too-many", null, null, Set.of("bob")))));
        List<String> failed = hub().notRestored();

        assertThat(failed).containsExactly("one-too-many");
        assertThat(hub().queries().roomExists("tech")).isTrue();
        assertThat(hub().queries().roomExists("one-too-many")).isFalse();
        HubPublishTest.assertRefused(() -> connect(loop1, "carol", "board"), ErrorCode.ROOM_NOT_FOUND);
        assertThat(connect(loop1, "alice", "board").session.isIn("board")).isTrue();
    }
}
