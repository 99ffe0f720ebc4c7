package dev.relay.core;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection rate limit, moved by the test's nano clock instead of by sleeping. */
class HubRateLimitTest extends HubTestSupport {
    private static final int PER_MINUTE = 5;
    private static final Duration ONE_TOKEN = Duration.ofSeconds(60 / PER_MINUTE);

    @Test
    void nMessagesPassThenTheNextIsRefusedUntilTimeRefillsOne() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        for (int i = 0; i < PER_MINUTE; i++) {
            alice.send(roomMessage("general", "m" + i));
        }
        assertThat(alice.errors()).isEmpty();
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).hasSize(PER_MINUTE);

        alice.send(roomMessage("over", "general", "one too many"));
        assertError(alice.singleError(), "rate_limited", "over");
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).hasSize(PER_MINUTE);

        nanos.advance(ONE_TOKEN.minusNanos(1));
        alice.clear();
        alice.send(roomMessage("early", "general", "a nanosecond too early"));
        assertError(alice.singleError(), "rate_limited", "early");

        nanos.advanceNanos(1);
        alice.clear();
        alice.send(roomMessage("general", "refilled"));
        assertThat(alice.errors()).isEmpty();
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).last().isEqualTo("refilled");

        alice.clear();
        alice.send(roomMessage("again", "general", "bucket empty again"));
        assertError(alice.singleError(), "rate_limited", "again");
        assertThat(alice.connection.closeReason()).isNull();
    }

    @Test
    void theLimitIsPerConnection() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        Client aliceElsewhere = connect(loop2, "alice", "general");
        clearAll();

        for (int i = 0; i <= PER_MINUTE; i++) {
            alice.send(roomMessage("general", "m" + i));
        }
        assertThat(alice.errors()).hasSize(1);

        aliceElsewhere.send(roomMessage("general", "my own bucket"));
        assertThat(aliceElsewhere.errors()).isEmpty();
    }

    @Test
    void everyMessageCountsEvenPings() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        alice.clear();

        for (int i = 0; i < PER_MINUTE; i++) {
            alice.send(message(MessageType.PING, null, null, null, null, null));
        }
        alice.send(message(MessageType.PING, "p", null, null, null, null));

        assertThat(alice.messages(MessageType.PONG)).hasSize(PER_MINUTE);
        assertError(alice.singleError(), "rate_limited", "p");
    }

    @Test
    void binaryFramesAreRateLimitedToo() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        for (int i = 0; i <= PER_MINUTE; i++) {
            alice.sendBinary(new byte[] {(byte) i});
        }

        assertThat(bob.connection.binaries()).hasSize(PER_MINUTE);
        assertError(alice.singleError(), "rate_limited", null);
    }

    @Test
    void zeroMeansUnlimited() {
        configure(settings -> settings.rateLimitPerMinute = 0);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        int many = 3_000;

        loop1.run(() -> {
            for (int i = 0; i < many; i++) {
                hub().onMessage(alice.session, roomMessage("general", "m" + i));
            }
        });
        syncAll();

        assertThat(alice.errors()).isEmpty();
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).hasSize(many);
    }

    @Test
    void aRefusalSaysWhenToRetry() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        for (int i = 0; i < PER_MINUTE; i++) {
            alice.send(roomMessage("general", "m" + i));
        }
        alice.clear();
        nanos.advance(Duration.ofSeconds(4));
        alice.send(roomMessage("over", "general", "one too many"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> data = (java.util.Map<String, Object>) alice.singleError().data();
        // 8 s left of the 12 s refill; the bucket counts in doubles, so allow a millisecond of rounding.
        assertThat((Long) data.get("retry_after_ms")).isBetween(7_999L, 8_001L);
    }

    @Test
    void aConnectionThatKeepsSendingFarPastTheLimitIsClosedWith1008() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        for (int i = 0; i < PER_MINUTE; i++) {
            alice.send(roomMessage("general", "m" + i));
        }
        for (int i = 1; i < 2 * PER_MINUTE; i++) {
            alice.send(roomMessage("general", "refused " + i));
        }
        assertThat(alice.connection.closeReason()).as("one refusal short of twice the budget").isNull();
        alice.send(roomMessage("general", "the last straw"));
        assertThat(alice.connection.closeReason().code()).isEqualTo(1008);
    }

    @Test
    void refusalsSpreadOverMoreThanAMinuteDoNotClose() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        for (int minute = 0; minute < 3; minute++) {
            for (int i = 0; i < PER_MINUTE + PER_MINUTE; i++) { // the budget, then as many refused
                alice.send(roomMessage("general", "m" + i));
            }
            nanos.advance(Duration.ofSeconds(61));
        }
        assertThat(alice.connection.closeReason()).isNull();
    }

    @Test
    void framesThatFailToParseCostATokenAndAFloodOfThemIsClosedWith1008() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        alice.clear();
        ProtocolException garbage = new ProtocolException(ErrorCode.INVALID_JSON, "not JSON");

        for (int i = 0; i < PER_MINUTE; i++) {
            alice.loop.run(() -> hub().onMalformed(alice.session, garbage));
        }
        syncAll();
        assertThat(alice.errors()).hasSize(PER_MINUTE)
                .allSatisfy(error -> assertError(error, "invalid_json", null));
        alice.clear();
        alice.send(message(MessageType.PING, "after-garbage", null, null, null, null));
        assertError(alice.singleError(), "rate_limited", "after-garbage");

        // The refusal just above was the first; one short of twice the budget leaves the connection open.
        for (int i = 2; i < 2 * PER_MINUTE; i++) {
            alice.loop.run(() -> hub().onMalformed(alice.session, garbage));
        }
        syncAll();
        assertThat(alice.connection.closeReason()).isNull();
        alice.loop.run(() -> hub().onMalformed(alice.session, garbage));
        syncAll();
        assertThat(alice.connection.closeReason().code()).isEqualTo(1008);
    }

    @Test
    void chargedFramesShareTheBudgetWithMessages() {
        configure(settings -> settings.rateLimitPerMinute = PER_MINUTE);
        Client alice = connect(loop1, "alice", "general");
        alice.clear();
        List<Boolean> admitted = new CopyOnWriteArrayList<>();
        for (int i = 0; i < PER_MINUTE - 1; i++) {
            alice.loop.run(() -> admitted.add(hub().chargeFrame(alice.session)));
        }
        syncAll();
        alice.send(message(MessageType.PING, "last-token", null, null, null, null));
        assertThat(alice.messages(MessageType.PONG)).hasSize(1);
        alice.loop.run(() -> admitted.add(hub().chargeFrame(alice.session)));
        syncAll();

        assertThat(admitted).containsExactly(true, true, true, true, false);
        assertError(alice.singleError(), "rate_limited", null);
    }
}
