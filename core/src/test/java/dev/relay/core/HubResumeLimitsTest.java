package dev.relay.core;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** When a resume cannot recover (history too short or too old, gap over the cap), and malformed resumes. */
class HubResumeLimitsTest extends HubTestSupport {

    @Test
    void aPositionStillInTheHistoryIsRecoveredAndOneBeforeItIsNot() {
        configure(settings -> settings.historySize = 3);
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 5); // history keeps 3, 4, 5
        String epoch = epoch("general");

        Client oldest = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 2));
        Client tooOld = connect(loop3, user("carol"), "general", new StreamPosition(epoch, 1));

        assertThat(resumed(oldest)).containsEntry("recovered", true).containsEntry("replayed", 3);
        assertThat(seqs(oldest)).containsExactly(3L, 4L, 5L);
        assertThat(resumed(tooOld)).containsEntry("recovered", false).containsEntry("replayed", 0)
                .containsEntry("seq", 5L);
        assertThat(tooOld.messages(MessageType.ROOM_MESSAGE)).isEmpty();
    }

    @Test
    void aGapOfExactlyTheRecoveryCapIsReplayedAndOneMoreIsNot() {
        configure(settings -> settings.recoveryMaxMessages = 3);
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 5);
        String epoch = epoch("general");

        Client atCap = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 2));
        Client overCap = connect(loop3, user("carol"), "general", new StreamPosition(epoch, 1));

        assertThat(resumed(atCap)).containsEntry("recovered", true).containsEntry("replayed", 3);
        assertThat(seqs(atCap)).containsExactly(3L, 4L, 5L);
        assertThat(resumed(overCap)).containsEntry("recovered", false).containsEntry("replayed", 0);
        assertThat(overCap.messages(MessageType.ROOM_MESSAGE)).isEmpty();
    }

    @Test
    void aRecoveryCapOfZeroRecoversOnlyAClientThatMissedNothing() {
        configure(settings -> settings.recoveryMaxMessages = 0);
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 2);
        String epoch = epoch("general");

        Client upToDate = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 2));
        Client behind = connect(loop3, user("carol"), "general", new StreamPosition(epoch, 1));

        assertThat(resumed(upToDate)).containsEntry("recovered", true).containsEntry("replayed", 0);
        assertThat(resumed(behind)).containsEntry("recovered", false);
    }

    @Test
    void aMessageOlderThanTheHistoryTtlIsNotRecovered() {
        configure(settings -> settings.historyTtl = Duration.ofMinutes(1));
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 1); // at START
        String epoch = epoch("general");

        clock.set(START.plus(Duration.ofMinutes(1)));
        Client inTime = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 0));
        clock.set(START.plus(Duration.ofMinutes(1)).plusMillis(1));
        Client tooLate = connect(loop3, user("carol"), "general", new StreamPosition(epoch, 0));

        assertThat(resumed(inTime)).containsEntry("recovered", true).containsEntry("replayed", 1);
        assertThat(resumed(tooLate)).containsEntry("recovered", false).containsEntry("replayed", 0);
    }

    @Test
    void withoutHistoryOnlyAClientThatMissedNothingIsRecovered() {
        configure(settings -> settings.historySize = 0);
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 2);
        String epoch = epoch("general");

        Client upToDate = connect(loop1, user("alice"), "general", new StreamPosition(epoch, 2));
        Client behind = connect(loop3, user("carol"), "general", new StreamPosition(epoch, 1));

        assertThat(resumed(upToDate)).containsEntry("recovered", true).containsEntry("replayed", 0);
        assertThat(resumed(behind)).containsEntry("recovered", false);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("no since", null, "EPOCH"),
                Arguments.of("no epoch", 1L, null),
                Arguments.of("neither", null, null),
                Arguments.of("negative since", -1L, "EPOCH"),
                Arguments.of("since as a string", "1", "EPOCH"),
                Arguments.of("since with a fraction", 1.5, "EPOCH"),
                Arguments.of("since not a number at all", Double.NaN, "EPOCH"),
                Arguments.of("since too large for a long", 1e19, "EPOCH"),
                Arguments.of("since as a boolean", true, "EPOCH"),
                Arguments.of("epoch as a number", 1L, 42L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedResumeIsRefusedWithInvalidFieldAndJoinsNothing(String why, Object since, Object epoch) {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 2);
        Object realEpoch = "EPOCH".equals(epoch) ? epoch("general") : epoch;
        clearAll();

        alice.send(resume("r-1", "general", since, realEpoch));

        assertError(alice.singleError(), "invalid_field", "r-1");
        assertThat(alice.messages()).hasSize(1);
        assertThat(bob.messages()).isEmpty();
        assertThat(alice.loop.call(() -> alice.session.isIn("general"))).isFalse();
    }

    @ParameterizedTest(name = "since {0}")
    @MethodSource("wholeNumbers")
    void aWholeNumberSinceOfAnyNumericTypeIsAccepted(Object since) {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        HubResumeTest.publish(bob, 2);
        clearAll();

        alice.send(resume("r-1", "general", since, epoch("general")));

        assertThat(alice.errors()).isEmpty();
        assertThat(resumed(alice)).containsEntry("recovered", true).containsEntry("replayed", 1);
        assertThat(seqs(alice)).containsExactly(2L);
    }

    static Stream<Object> wholeNumbers() {
        return Stream.of(1L, 1, 1.0);
    }

    @Test
    void aResumeNamesAnExistingRoom() {
        Client alice = connect(loop1, "alice", "general");
        String epoch = epoch("general");
        alice.clear();

        alice.send(resume("r-1", null, 0L, epoch));
        assertError(alice.singleError(), "missing_field", "r-1");
        alice.clear();
        alice.send(resume("r-2", "nowhere", 0L, epoch));
        assertError(alice.singleError(), "room_not_found", "r-2");
        alice.clear();
        alice.send(resume(null, "not valid!", 0L, epoch));
        assertError(alice.singleError(), "invalid_room_id", null);
    }
}
