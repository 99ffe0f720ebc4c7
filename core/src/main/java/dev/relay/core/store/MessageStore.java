package dev.relay.core.store;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where room and private messages are kept beyond a connection: the hub hands it every accepted message
 * ({@link MessageSink}) and every private message for an offline user ({@link OfflineMessages}); the REST API reads
 * history pages and searches it; at startup it tells where each room's stream stood so the stream continues.
 *
 * <p>Writes never block (a store that writes to a database queues them); the reads below may block and are called
 * off the event loops.
 */
public interface MessageStore extends MessageSink, OfflineMessages, AutoCloseable {
    /** A room's messages in {@code epoch} with {@code seq < beforeSeq} (all when null), the newest {@code limit}. */
    Page roomMessages(String roomId, String epoch, Long beforeSeq, int limit);

    /** The private messages between two users sent before {@code before} (all when null), the newest {@code limit}. */
    Page conversation(String userA, String userB, Instant before, int limit);

    /**
     * The kept room or private message with this id, as history shows it now (edits applied), or empty when it is
     * not kept (never was, or expired). A client's edit checks the author and the time against this copy.
     */
    Optional<ServerMessage> message(String id);

    /** Messages matching the query that its scope may read, best first. */
    List<SearchHit> search(SearchQuery query);

    /** Where every room with kept messages stood last: its latest epoch and the highest seq in it. */
    Map<String, StreamPosition> lastPositions();

    /** The newest {@code limit} messages of a room's {@code epoch}, oldest first, to warm the resume cache. */
    List<ServerMessage> recent(String roomId, String epoch, int limit);

    /** Keeps a room created at runtime (replacing one with the same id); must not block. */
    default void roomCreated(RoomRecord room) {
    }

    /**
     * Forgets a room that was closed and deletes every message of its stream {@code epoch}: history, search, resume
     * and the positions read at the next start no longer show any of them, so a room created again under the same id
     * starts empty. Messages of that stream that reach the store afterwards (accepted just before the close) are
     * dropped. Must not block: the deletion may finish later, before anything queued after it is written.
     */
    default void roomClosed(String roomId, String epoch) {
    }

    /** The rooms kept, to create again at startup. */
    default List<RoomRecord> rooms() {
        return List.of();
    }

    /** Deletes up to {@code batch} messages older than {@code cutoff}; returns how many went. */
    int deleteOlderThan(Instant cutoff, int batch);

    /** Writes what is queued and stops; later writes are refused. */
    @Override
    void close();

    /** A page of messages, newest last, and whether older ones exist. */
    record Page(List<ServerMessage> messages, boolean hasMore) {
        public Page {
            messages = List.copyOf(messages);
        }
    }
}
