package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MessageSink;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acks that wait for a {@link MessageSink} to keep the message: sent on the sender's loop once it is kept, an error
 * frame with the same ref when it cannot be, and a retry meanwhile answered with the first attempt's outcome.
 */
class HubAsyncAckTest extends HubTestSupport {
    /** Holds every message's future until the test completes it, as a store with ack_after_persist would. */
    private static final class HoldingSink implements MessageSink {
        final List<ServerMessage> kept = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
        volatile ProtocolException full;

        @Override
        public void checkCapacity() {
            if (full != null) {
                throw full;
            }
        }

        @Override
        public CompletableFuture<Void> accepted(ServerMessage message) {
            kept.add(message);
            CompletableFuture<Void> future = new CompletableFuture<>();
            pending.add(future);
            return future;
        }
    }

    private final HoldingSink sink = new HoldingSink();

    @Override
    void building(Hub.Builder builder) {
        builder.messageSink(sink);
    }

    @Test
    void theAckWaitsUntilTheMessageIsKeptAndIsSentOnTheSendersLoop() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).as("delivery does not wait").containsExactly("hello");
        assertThat(alice.messages(MessageType.ACK)).as("not kept yet").isEmpty();
        assertThat(sink.kept).singleElement().satisfies(kept -> assertThat(kept.seq()).isEqualTo(1L));

        sink.pending.getFirst().complete(null); // completed off the loop, as a writer thread would
        syncAll();

        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("ref", "m-1").containsEntry("seq", 1L));
        assertThat(alice.errors()).isEmpty();
    }

    @Test
    void aRetryWhileTheFirstAttemptIsPendingGetsItsOutcomeNotAnEarlyAck() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(alice.messages(MessageType.ACK)).as("neither attempt is kept yet").isEmpty();
        sink.pending.getFirst().complete(null);
        syncAll();

        assertThat(sink.kept).as("kept once").hasSize(1);
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).as("delivered once").containsExactly("hello");
        assertThat(alice.messages(MessageType.ACK)).hasSize(2)
                .allSatisfy(ack -> assertThat(data(ack)).containsEntry("ref", "m-1").containsEntry("seq", 1L));
    }

    @Test
    void aMessageThatCannotBeKeptIsAnsweredWithAnErrorCarryingItsRefAndItsIdIsFreedForARetry() {
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        sink.pending.getFirst().completeExceptionally(
                new ProtocolException(ErrorCode.INTERNAL_ERROR, "the store gave up"));
        syncAll();

        assertThat(alice.messages(MessageType.ACK)).isEmpty();
        assertThat(data(alice.singleError())).containsEntry("code", "internal_error").containsEntry("ref", "m-1");

        alice.clear();
        alice.send(roomMessage("m-1", "general", "hello"));
        assertThat(sink.kept).as("the retry is handled afresh").hasSize(2);
        sink.pending.get(1).complete(null);
        syncAll();
        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("seq", 2L));
    }

    @Test
    void aMessageWithoutAnIdGetsNoAckButItsFailureIsStillReported() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();

        alice.send(roomMessage("general", "no id"));
        sink.pending.getFirst().completeExceptionally(new ProtocolException(ErrorCode.INTERNAL_ERROR, "lost"));
        syncAll();

        assertThat(alice.messages(MessageType.ACK)).isEmpty();
        assertThat(data(alice.singleError())).containsEntry("code", "internal_error").doesNotContainKey("ref");
    }

    @Test
    void aSessionClosedBeforeTheMessageIsKeptGetsNoAck() {
        Client alice = connect(loop1, "alice", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        alice.disconnect();
        alice.clear();
        sink.pending.getFirst().complete(null);
        syncAll();

        assertThat(alice.messages()).isEmpty();
    }

    @Test
    void aFullSinkRefusesBeforeTheMessageTakesASeq() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        sink.full = new ProtocolException(ErrorCode.OVERLOADED, "full");
        alice.send(roomMessage("m-1", "general", "refused"));
        sink.full = null;
        alice.send(roomMessage("m-2", "general", "accepted"));

        assertThat(data(alice.singleError())).containsEntry("code", "overloaded").containsEntry("ref", "m-1");
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).singleElement()
                .satisfies(delivered -> assertThat(delivered.seq()).as("no gap").isEqualTo(1L));
    }

    @Test
    void theApiFutureCompletesWhenTheMessageIsKeptAndFailsWhenItCannotBe() {
        connect(loop1, "alice", "general");

        CompletableFuture<Published> first = hub().publish(user("alice"), roomMessage("api-1", "general", "one"));
        CompletableFuture<Published> second = hub().publish(user("alice"), roomMessage("api-2", "general", "two"));
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        sink.pending.get(0).complete(null);
        sink.pending.get(1).completeExceptionally(new ProtocolException(ErrorCode.INTERNAL_ERROR, "lost"));

        assertThat(first.join().seq()).isEqualTo(1L);
        assertThatThrownBy(second::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ProtocolException.class);
    }

    @Test
    void completingTheFutureTheApiReturnedDoesNotAnswerForARetry() {
        connect(loop1, "alice", "general");
        CompletableFuture<Published> first = hub().publish(user("alice"), roomMessage("api-1", "general", "one"));

        first.complete(new Published("forged", clock.instant(), 99L));
        CompletableFuture<Published> retry = hub().publish(user("alice"), roomMessage("api-1", "general", "one"));
        assertThat(retry).isNotDone();
        sink.pending.getFirst().complete(null);

        assertThat(retry.join().seq()).isEqualTo(1L);
    }
}
