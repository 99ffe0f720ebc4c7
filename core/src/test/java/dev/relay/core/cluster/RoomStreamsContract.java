package dev.relay.core.cluster;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link RoomStreams} does for the broker that fans out over something else (NATS): several instances of
 * one test stand for the nodes sharing one store. A placement takes the room's next seq whichever node places it, a
 * retry gets the first placement, the stream is read exactly or not at all, and rooms created at run time are
 * claimed once and forgotten with their stream. Each engine's test extends this, once per topology.
 */
public abstract class RoomStreamsContract {
    /** The length every room stream is capped at: a subclass gives its streams this. */
    protected static final int STREAM_LENGTH = 10;

    private final List<RoomStreams> opened = new ArrayList<>();

    /** Streams standing for one more node over this test's store, not started; capped at {@link #STREAM_LENGTH}. */
    protected abstract RoomStreams newStreams();

    /** Started streams, closed after the test; {@code reconnects} counts the reconnections they report. */
    protected RoomStreams streams(AtomicInteger reconnects) {
        RoomStreams streams = newStreams();
        opened.add(streams);
        streams.start(reconnects::incrementAndGet);
        return streams;
    }

    protected RoomStreams streams() {
        return streams(new AtomicInteger());
    }

    @AfterEach
    void closeStreams() {
        opened.forEach(RoomStreams::close);
    }

    protected static ServerMessage draft(String room, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "room_message", "alice", null, room, content, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void placements_from_two_nodes_take_consecutive_seqs_in_the_streams_first_epoch() {
        RoomStreams a = streams();
        RoomStreams b = streams();
        ServerMessage first = a.place(draft("lobby", "first"), "epochAAAA", null).join();
        assertThat(first.epoch()).isEqualTo("epochAAAA");
        List<CompletableFuture<ServerMessage>> placing = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            placing.add((i % 2 == 0 ? a : b).place(draft("lobby", "m" + i), "epochBBBB", null));
        }
        List<ServerMessage> placed = placing.stream().map(CompletableFuture::join).toList();
        assertThat(placed).extracting(ServerMessage::seq).doesNotHaveDuplicates()
                .allMatch(seq -> seq > first.seq() && seq <= first.seq() + 50);
        assertThat(placed).extracting(ServerMessage::epoch).as("the stream's first epoch stays")
                .containsOnly("epochAAAA");
        assertThat(placed).extracting(ServerMessage::content).as("the draft as placed").contains("m0", "m49");
        assertThat(b.position("lobby").join()).contains(new StreamPosition("epochAAAA", first.seq() + 50));
    }

    @Test
    void a_retry_through_any_node_gets_the_first_placement() {
        RoomStreams a = streams();
        RoomStreams b = streams();
        ServerMessage first = a.place(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage retry = b.place(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage other = b.place(draft("r", "twice"), "e", "alice\nroom_message\nr\nnull\nc-2").join();

        assertThat(retry.seq()).isEqualTo(first.seq());
        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(retry.timestamp()).isEqualTo(first.timestamp());
        assertThat(other.seq()).isEqualTo(first.seq() + 1);
        assertThat(a.recent("r", 10).join()).extracting(ServerMessage::content).containsExactly("once", "twice");
    }

    @Test
    void range_and_recent_read_the_stream_exactly_or_not_at_all() {
        RoomStreams a = streams();
        RoomStreams b = streams();
        int last = 30 * STREAM_LENGTH;
        for (int i = 1; i <= last; i++) {
            a.place(draft("r", "m" + i), "e1", null).join();
        }
        assertThat(b.range("r", "e1", last - 3, last).join()).hasValueSatisfying(list ->
                assertThat(list).extracting(ServerMessage::content).containsExactly("m" + (last - 2),
                        "m" + (last - 1), "m" + last));
        assertThat(b.range("r", "e1", last, last).join()).contains(List.of());
        assertThat(b.range("r", "e1", 1, last).join()).as("trimmed away: no partial range").isEmpty();
        assertThat(b.range("r", "other", last - 3, last).join()).as("another epoch").isEmpty();
        assertThat(b.recent("r", 2).join()).extracting(ServerMessage::seq).containsExactly((long) last - 1,
                (long) last);
        assertThat(b.position("nothing-yet").join()).isEmpty();
        assertThat(b.recent("nothing-yet", 5).join()).isEmpty();
    }

    @Test
    void a_room_created_at_run_time_is_claimed_once_and_forgotten_with_its_stream() {
        RoomStreams a = streams();
        RoomStreams b = streams();
        a.place(draft("board", "before"), "e", null).join();
        assertThat(a.claimRoom("board", "spec of a").join()).isTrue();
        assertThat(b.claimRoom("board", "spec of b").join()).as("taken").isFalse();
        assertThat(b.savedRooms().join()).containsEntry("board", "spec of a");

        b.deleteRoom("board").join();
        assertThat(a.savedRooms().join()).doesNotContainKey("board");
        assertThat(a.position("board").join()).isEmpty();
        ServerMessage again = a.place(draft("board", "after"), "e2", null).join();
        assertThat(again.epoch()).as("a new stream").isEqualTo("e2");
    }

    @Test
    void started_streams_are_connected_and_closed_ones_are_not() {
        AtomicInteger reconnects = new AtomicInteger();
        RoomStreams a = streams(reconnects);
        assertThat(a.isConnected()).isTrue();
        assertThat(reconnects).as("no reconnection without an outage").hasValue(0);
        a.close();
        assertThat(a.isConnected()).isFalse();
    }
}
