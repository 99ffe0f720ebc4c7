package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.relay.client.ConnectionState.CONNECTED;
import static dev.relay.client.ConnectionState.CONNECTING;
import static dev.relay.client.ConnectionState.DISCONNECTED;
import static org.assertj.core.api.Assertions.assertThat;

/** The client's state machine against a scripted server, on a clock the tests move. */
class RelayClientTest {
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(4));

    private final ManualScheduler scheduler = new ManualScheduler();
    private final FakeConnector server = new FakeConnector();
    private final List<StateChange> states = new ArrayList<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<Resumed> recovered = new ArrayList<>();
    private final List<Resumed> reloads = new ArrayList<>();
    private final AtomicInteger tokensIssued = new AtomicInteger();

    private RelayClient.Builder builder() {
        return RelayClient.builder(URI.create("ws://relay.test/ws/connect"))
                .scheduler(scheduler)
                .connector(server)
                .random(new FixedRandom(0.5))
                .backoff(BACKOFF);
    }

    private RelayClient client(RelayClient.Builder builder) {
        return builder.build()
                .onState(states::add)
                .onMessage(messages::add)
                .onRecovered(recovered::add)
                .onReload(reloads::add);
    }

    private RelayClient withSupplier() {
        return client(builder().tokenSupplier(() -> "token-" + tokensIssued.incrementAndGet()));
    }

    private RelayClient withFixedToken() {
        return client(builder().token("fixed"));
    }

    /** Connects and answers like a server that has not seen this client before. */
    private FakeConnector.Attempt connected(RelayClient client) {
        client.connect();
        return server.last().welcome("general").resumed("general", false, "e1", 0, null);
    }

    private List<ConnectionState> stateNames() {
        return states.stream().map(StateChange::state).toList();
    }

    @Test
    void connectingBecomesConnectedOnTheWelcomeAndAsksWhereTheRoomStands() {
        RelayClient client = withSupplier();
        CompletableFuture<Void> ready = client.connect();
        assertThat(client.state()).isEqualTo(CONNECTING);
        FakeConnector.Attempt attempt = server.last();
        assertThat(attempt.headers).containsEntry("Authorization", "Bearer token-1");
        assertThat(attempt.uri.getQuery()).isEqualTo("room_id=general&since=0&epoch=-");
        assertThat(ready).isNotDone();

        attempt.welcome("general");
        assertThat(ready).isCompleted();
        assertThat(client.state()).isEqualTo(CONNECTED);
        assertThat(client.userId()).isEqualTo("alice");
        assertThat(stateNames()).containsExactly(CONNECTING, CONNECTED);
    }

    @Test
    void failedAttemptsWaitAJitteredBackoffThatDoublesToItsCapAndResetsAfterAWelcome() {
        RelayClient client = withSupplier();
        client.connect();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            server.last().unreachable();
            StateChange change = states.getLast();
            assertThat(change.state()).isEqualTo(DISCONNECTED);
            assertThat(change.reconnecting()).isTrue();
            waits.add(change.reconnectIn().toMillis());
            int attempts = server.attempts.size();
            scheduler.advance(change.reconnectIn().minusMillis(1));
            assertThat(server.attempts).as("not before the wait is over").hasSize(attempts);
            scheduler.advance(Duration.ofMillis(1));
            assertThat(server.attempts).hasSize(attempts + 1);
        }
        // half of 500, 1000, 2000, 4000 (the cap), 4000, 4000
        assertThat(waits).containsExactly(250L, 500L, 1000L, 2000L, 2000L, 2000L);
        assertThat(tokensIssued).as("a fresh token for every attempt").hasValue(7);

        server.last().welcome("general");
        server.last().close(1001);
        assertThat(states.getLast().reconnectIn()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aFailedAttemptThatAlsoReportsItsLinkBrokenIsRetriedOnce() {
        RelayClient client = withSupplier();
        client.connect();
        FakeConnector.Attempt attempt = server.last();
        attempt.unreachable();
        attempt.drop();
        attempt.close(1006);
        assertThat(states).filteredOn(change -> change.state() == DISCONNECTED).hasSize(1);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(server.attempts).hasSize(2);
    }

    @Test
    void aTooBusyServerIsRetriedButARefusedTokenIsFinal() {
        RelayClient client = withSupplier();
        CompletableFuture<Void> ready = client.connect();
        server.last().refuse(503);
        assertThat(states.getLast().reconnecting()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        server.last().refuse(401);
        assertThat(states.getLast().reconnecting()).isFalse();
        assertThat(states.getLast().closeCode()).isEqualTo(401);
        assertThat(ready).isCompletedExceptionally();
        scheduler.advance(Duration.ofHours(1));
        assertThat(server.attempts).hasSize(2);
        assertThat(client.sendToRoom("general", "late")).isCompletedExceptionally();
    }

    @ParameterizedTest
    @ValueSource(ints = {4403, 1008, 1009, 1000})
    void afterATerminalCloseTheClientStaysDisconnected(int code) {
        RelayClient client = withSupplier();
        connected(client);
        CompletableFuture<Ack> unacked = client.sendToRoom("general", "hi");
        server.last().close(code);
        assertThat(client.state()).isEqualTo(DISCONNECTED);
        assertThat(states.getLast().reconnecting()).isFalse();
        assertThat(states.getLast().closeCode()).isEqualTo(code);
        scheduler.advance(Duration.ofHours(1));
        assertThat(server.attempts).hasSize(1);
        assertThat(unacked).isCompletedExceptionally();
    }

    @ParameterizedTest
    @ValueSource(ints = {1001, 1011, 4000, 4008})
    void afterAHealthCloseTheClientReconnects(int code) {
        RelayClient client = withFixedToken();
        connected(client);
        server.last().close(code);
        assertThat(states.getLast().reconnecting()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.attempts).hasSize(2);
        assertThat(client.state()).isEqualTo(CONNECTING);
    }

    @Test
    void anExpiredTokenEndsAFixedTokenClientButASupplierFetchesAFreshOne() {
        RelayClient fixed = withFixedToken();
        connected(fixed);
        server.last().close(4401);
        assertThat(states.getLast().reconnecting()).isFalse();

        states.clear();
        RelayClient supplied = withSupplier();
        connected(supplied);
        server.last().close(4401);
        assertThat(states.getLast().reconnecting()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.last().headers).containsEntry("Authorization", "Bearer token-2");
    }

    @Test
    void tokenExpiringSendsARefreshWithTheSuppliersNextToken() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt attempt = connected(client);
        attempt.text("{\"type\":\"token_expiring\",\"data\":{\"expires_at\":\"2026-01-01T00:00:00.000Z\"}}");
        List<JsonNode> refresh = attempt.frames("refresh");
        assertThat(refresh).hasSize(1);
        assertThat(refresh.getFirst().path("data").path("token").asText()).isEqualTo("token-2");
        assertThat(refresh.getFirst().path("id").asText()).isNotEmpty();

        RelayClient fixed = withFixedToken();
        FakeConnector.Attempt other = connected(fixed);
        other.text("{\"type\":\"token_expiring\",\"data\":{}}");
        assertThat(other.frames("refresh")).isEmpty();
    }

    @Test
    void everyJoinedRoomResumesFromItsLastSeqAndNothingIsDeliveredTwice() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        assertThat(reloads).as("a first join is no reload").isEmpty();
        CompletableFuture<Void> joined = client.join("support");
        JsonNode join = first.frames("resume").getFirst();
        assertThat(join.path("room_id").asText()).isEqualTo("support");
        assertThat(join.path("data").path("since").asLong()).isZero();
        assertThat(join.path("data").path("epoch").asText()).isEqualTo("-");
        assertThat(joined).isNotDone();
        first.resumed("support", false, "s1", 10, join.path("id").asText());
        assertThat(joined).isCompleted();

        first.roomMessage("general", "e1", 1, "g1").roomMessage("general", "e1", 2, "g2")
                .roomMessage("support", "s1", 11, "s11");
        first.drop();
        assertThat(client.state()).isEqualTo(DISCONNECTED);
        scheduler.advance(Duration.ofSeconds(1));

        FakeConnector.Attempt second = server.last();
        assertThat(second.uri.getQuery()).isEqualTo("room_id=general&since=2&epoch=e1");
        second.welcome("general");
        JsonNode resume = second.frames("resume").getFirst();
        assertThat(resume.path("room_id").asText()).isEqualTo("support");
        assertThat(resume.path("data").path("since").asLong()).isEqualTo(11);
        assertThat(resume.path("data").path("epoch").asText()).isEqualTo("s1");

        // An overlapping replay: g2 again, then g3.
        second.roomMessage("general", "e1", 2, "g2").roomMessage("general", "e1", 3, "g3")
                .resumed("general", true, "e1", 3, null)
                .resumed("support", false, "s2", 0, resume.path("id").asText())
                .roomMessage("support", "s2", 1, "fresh");
        assertThat(messages).extracting(Message::content).containsExactly("g1", "g2", "s11", "g3", "fresh");
        assertThat(recovered).extracting(Resumed::roomId).containsExactly("general");
        assertThat(reloads).extracting(Resumed::roomId).containsExactly("support");
        assertThat(reloads.getFirst().epoch()).isEqualTo("s2");
    }

    @Test
    void aLeftRoomIsNotRejoinedAndTheConnectionOpensInAJoinedOne() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        client.join("support");
        first.resumed("support", false, "s1", 4, first.frames("resume").getFirst().path("id").asText());
        CompletableFuture<Void> left = client.leave("general");
        JsonNode leave = first.frames("leave_room").getFirst();
        first.text("{\"type\":\"left\",\"room_id\":\"general\",\"data\":{\"ref\":\"" + leave.path("id").asText()
                + "\"}}");
        assertThat(left).isCompleted();

        first.close(1001);
        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last();
        assertThat(second.uri.getQuery()).isEqualTo("room_id=support&since=4&epoch=s1");
        second.welcome("support");
        assertThat(second.frames("resume")).isEmpty();
    }

    @Test
    void aClientThatLeftEveryRoomLeavesTheRoomItsNextConnectionOpensIn() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        client.leave("general");
        first.close(1011);
        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last();
        assertThat(second.uri.getQuery()).isEqualTo("room_id=general&since=0&epoch=-");
        second.welcome("general");
        assertThat(second.frames("leave_room")).as("not before the server says it is in").isEmpty();
        second.resumed("general", false, "e2", 0, null);
        assertThat(second.frames("leave_room")).extracting(f -> f.path("room_id").asText()).containsExactly("general");
        second.roomMessage("general", "e2", 1, "not for us"); // published before the leave took effect
        assertThat(messages).isEmpty();
        assertThat(reloads).isEmpty();
    }

    @Test
    void aRoomTheServerPutTheConnectionInCountsAsJoinedAndIsResumedLater() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        first.roomMessage("lobby", "l1", 8, "joined by an admin");
        assertThat(messages).extracting(Message::content).containsExactly("joined by an admin");
        first.drop();
        scheduler.advance(Duration.ofSeconds(1));
        server.last().welcome("general");
        JsonNode resume = server.last().frames("resume").getFirst();
        assertThat(resume.path("room_id").asText()).isEqualTo("lobby");
        assertThat(resume.path("data").path("since").asLong()).isEqualTo(8);
        assertThat(client.join("lobby")).isNotDone();
    }

    @Test
    void aRoomLeftWhileDisconnectedIsLeftOnTheServerAfterTheNextWelcome() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        client.join("support");
        first.resumed("support", false, "s1", 4, first.frames("resume").getFirst().path("id").asText());
        first.drop();
        assertThat(client.leave("support")).isCompleted();

        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last();
        second.welcome("general");
        // The server remembers the user's rooms and puts the new connection back in them; this leave ends that.
        assertThat(second.frames("leave_room")).extracting(f -> f.path("room_id").asText()).containsExactly("support");
        second.text("{\"type\":\"joined\",\"room_id\":\"support\"}");
        second.roomMessage("support", "s1", 5, "before the leave took effect");
        second.text("{\"type\":\"left\",\"room_id\":\"support\"}");
        assertThat(messages).isEmpty();
        second.drop();
        scheduler.advance(Duration.ofSeconds(5));
        server.last().welcome("general");
        assertThat(server.last().frames("resume")).isEmpty();
        assertThat(server.last().frames("leave_room")).isEmpty();
    }

    @Test
    void aRoomTheUserLeftElsewhereIsNotResumedAndOneJoinedElsewhereIs() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        client.join("support");
        first.resumed("support", false, "s1", 4, first.frames("resume").getFirst().path("id").asText());
        // The user left support on another device, and joined lobby through the REST API: no ref, nobody asked here.
        first.text("{\"type\":\"left\",\"room_id\":\"support\"}");
        first.text("{\"type\":\"joined\",\"room_id\":\"lobby\"}");

        first.drop();
        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last();
        second.welcome("general");
        assertThat(second.frames("resume")).extracting(f -> f.path("room_id").asText())
                .as("resuming support would join it again").containsExactly("lobby");
    }

    @Test
    void aRoomThatIsGoneWhenResumedIsDroppedWithAnErrorAndAClosedRoomIsForgotten() {
        List<RelayException> errors = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        RelayClient client = withSupplier().onError(errors::add).onRoomClosed(closed::add);
        FakeConnector.Attempt first = connected(client);
        client.join("team");
        first.resumed("team", false, "t1", 0, first.frames("resume").getFirst().path("id").asText());
        client.join("ops");
        first.resumed("ops", false, "o1", 0, first.frames("resume").get(1).path("id").asText());
        first.text("{\"type\":\"room_closed\",\"room_id\":\"ops\",\"data\":{\"by\":\"admin\"}}");
        assertThat(closed).containsExactly("ops");
        first.close(1001);

        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last().welcome("general");
        List<JsonNode> resumes = second.frames("resume");
        assertThat(resumes).extracting(f -> f.path("room_id").asText()).containsExactly("team");
        second.text("{\"type\":\"error\",\"content\":\"room 'team' does not exist\",\"data\":{\"code\":"
                + "\"room_not_found\",\"ref\":\"" + resumes.getFirst().path("id").asText() + "\"}}");
        assertThat(errors).extracting(RelayException::code).containsExactly("room_not_found");
        second.close(1001);

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.last().welcome("general").frames("resume")).isEmpty();
    }

    @Test
    void aQuietConnectionIsPingedAndReplacedWhenNothingAnswers() {
        RelayClient client = client(builder().token("t").heartbeat(Duration.ofSeconds(30)));
        FakeConnector.Attempt first = connected(client);
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(first.frames("ping")).as("the welcome was traffic enough for the first interval").isEmpty();
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(first.frames("ping")).hasSize(1);
        first.text("{\"type\":\"pong\",\"data\":{\"ref\":\"" + first.frames("ping").getFirst().path("id").asText()
                + "\"}}");
        scheduler.advance(Duration.ofSeconds(60));
        assertThat(client.state()).as("the pong kept it").isEqualTo(CONNECTED);
        assertThat(first.frames("ping")).hasSize(2);
        assertThat(first.aborted).isFalse();

        scheduler.advance(Duration.ofSeconds(29));
        assertThat(client.state()).isEqualTo(CONNECTED);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(first.aborted).isTrue();
        assertThat(states.getLast().state()).isEqualTo(DISCONNECTED);
        assertThat(states.getLast().reconnecting()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.attempts).hasSize(2);
    }

    @Test
    void aBusyConnectionIsNeverPingedAndAZeroHeartbeatNeverChecks() {
        RelayClient busy = client(builder().token("t"));
        FakeConnector.Attempt attempt = connected(busy);
        for (int i = 1; i <= 10; i++) {
            scheduler.advance(Duration.ofSeconds(20));
            attempt.roomMessage("general", "e1", i, "m" + i);
        }
        assertThat(attempt.frames("ping")).isEmpty();

        RelayClient unchecked = client(builder().token("t").heartbeat(Duration.ZERO));
        FakeConnector.Attempt quiet = connected(unchecked);
        scheduler.advance(Duration.ofHours(1));
        assertThat(quiet.frames("ping")).isEmpty();
        assertThat(unchecked.state()).isEqualTo(CONNECTED);
    }

    @Test
    void sendsAreCompletedByTheirAckOrFailedByTheErrorWithTheirRefOrByTheTimeout() throws Exception {
        RelayClient client = client(builder().token("t").ackTimeout(Duration.ofSeconds(5)));
        FakeConnector.Attempt attempt = connected(client);
        CompletableFuture<Ack> accepted = client.sendToRoom("general", "one", java.util.Map.of("k", 1));
        CompletableFuture<Ack> refused = client.sendToRoom("nowhere", "two");
        CompletableFuture<Ack> unanswered = client.sendPrivate("bob", "three");
        List<JsonNode> sent = attempt.frames();
        JsonNode one = sent.get(sent.size() - 3);
        assertThat(one.path("type").asText()).isEqualTo("room_message");
        assertThat(one.path("data").path("k").asInt()).isEqualTo(1);
        String twoId = sent.get(sent.size() - 2).path("id").asText();
        assertThat(sent.getLast().path("to").asText()).isEqualTo("bob");

        attempt.ack(one.path("id").asText(), 7);
        assertThat(accepted.get()).isEqualTo(new Ack(one.path("id").asText(), "srv-" + one.path("id").asText(), 7, false));
        attempt.text("{\"type\":\"error\",\"content\":\"you are not in room 'nowhere'\",\"data\":{\"code\":\"not_member\","
                + "\"ref\":\"" + twoId + "\"}}");
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.exceptionNow()).isInstanceOf(RelayException.class)
                .extracting(e -> ((RelayException) e).code()).isEqualTo("not_member");

        scheduler.advance(Duration.ofMillis(4999));
        assertThat(unanswered).isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(unanswered.exceptionNow()).isInstanceOf(TimeoutException.class);
    }

    @Test
    void theOutboxHoldsItsBoundWhileDisconnectedAndSendsItAllWithTheOriginalIdsOnReconnect() {
        RelayClient client = client(builder().token("t").maxPendingMessages(3));
        FakeConnector.Attempt first = connected(client);
        CompletableFuture<Ack> inFlight = client.sendToRoom("general", "in flight");
        String inFlightId = first.frames("room_message").getFirst().path("id").asText();
        first.drop();

        CompletableFuture<Ack> queued1 = client.sendToRoom("general", "queued 1");
        CompletableFuture<Ack> queued2 = client.sendToRoom("general", "queued 2");
        CompletableFuture<Ack> overflow = client.sendToRoom("general", "one too many");
        assertThat(overflow.exceptionNow()).isInstanceOf(RelayException.class)
                .extracting(e -> ((RelayException) e).code()).isEqualTo(RelayException.QUEUE_FULL);
        assertThat(List.of(inFlight, queued1, queued2)).noneMatch(CompletableFuture::isDone);

        scheduler.advance(Duration.ofSeconds(1));
        FakeConnector.Attempt second = server.last();
        assertThat(second.sent).isEmpty();
        second.welcome("general");
        List<JsonNode> resent = second.frames("room_message");
        assertThat(resent).extracting(f -> f.path("content").asText())
                .containsExactly("in flight", "queued 1", "queued 2");
        assertThat(resent.getFirst().path("id").asText()).isEqualTo(inFlightId);

        second.ack(inFlightId, 3);
        assertThat(inFlight).isCompleted();
        assertThat(client.sendToRoom("general", "room again")).as("one slot free again").isNotDone();
        assertThat(client.sendToRoom("general", "full again")).isCompletedExceptionally();
    }

    @Test
    void theBoundAlsoCountsMessagesInFlightOnALiveConnection() {
        RelayClient client = client(builder().token("t").maxPendingMessages(2));
        FakeConnector.Attempt attempt = connected(client);
        client.sendToRoom("general", "a");
        client.sendToRoom("general", "b");
        assertThat(client.sendToRoom("general", "c")).isCompletedExceptionally();
        attempt.ack(attempt.frames("room_message").getFirst().path("id").asText(), 1);
        assertThat(client.sendToRoom("general", "c")).isNotDone();
        assertThat(attempt.frames("room_message")).hasSize(3);
    }

    @Test
    void aChosenStatusIsSetAgainOnTheNextConnection() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt first = connected(client);
        CompletableFuture<Void> busy = client.setStatus(UserStatus.BUSY);
        JsonNode status = first.frames("status").getFirst();
        assertThat(status.path("content").asText()).isEqualTo("busy");
        first.text("{\"type\":\"status\",\"data\":{\"status\":\"busy\",\"ref\":\"" + status.path("id").asText() + "\"}}");
        assertThat(busy).isCompleted();
        first.close(4000);
        scheduler.advance(Duration.ofSeconds(1));
        server.last().welcome("general");
        assertThat(server.last().frames("status")).extracting(f -> f.path("content").asText()).containsExactly("busy");
    }

    @Test
    void closingFailsWhatIsPendingAndStopsReconnecting() {
        RelayClient client = withSupplier();
        FakeConnector.Attempt attempt = connected(client);
        CompletableFuture<Ack> pending = client.sendToRoom("general", "bye");
        client.close();
        assertThat(attempt.closedWith).isEqualTo(1000);
        assertThat(pending.exceptionNow()).extracting(e -> ((RelayException) e).code()).isEqualTo(RelayException.CLOSED);
        assertThat(client.state()).isEqualTo(DISCONNECTED);
        assertThat(client.sendToRoom("general", "after")).isCompletedExceptionally();
        scheduler.advance(Duration.ofHours(1));
        assertThat(server.attempts).hasSize(1);
    }
}
