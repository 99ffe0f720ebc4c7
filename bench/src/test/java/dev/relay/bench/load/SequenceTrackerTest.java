package dev.relay.bench.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceTrackerTest {
    @Test
    void inOrderArrivalsAreNeitherLostNorDuplicated() {
        SequenceTracker tracker = new SequenceTracker(2);
        for (long s = 0; s < 5; s++) {
            assertThat(tracker.record(0, s)).isTrue();
            assertThat(tracker.record(1, s)).isTrue();
        }
        long[] sent = {5, 5};
        assertThat(tracker.lost(sent)).isZero();
        assertThat(tracker.duplicated()).isZero();
        assertThat(tracker.received()).isEqualTo(10);
        assertThat(tracker.caughtUp(sent)).isTrue();
    }

    @Test
    void aGapCountsTheSkippedMessagesAsLost() {
        SequenceTracker tracker = new SequenceTracker(1);
        tracker.record(0, 0);
        tracker.record(0, 3);
        tracker.record(0, 4);
        assertThat(tracker.lost(new long[]{5})).isEqualTo(2);
        assertThat(tracker.seen(0)).isEqualTo(5);
    }

    @Test
    void aRepeatedOrEarlierSequenceIsADuplicate() {
        SequenceTracker tracker = new SequenceTracker(1);
        tracker.record(0, 0);
        tracker.record(0, 1);
        assertThat(tracker.record(0, 1)).isFalse();
        assertThat(tracker.record(0, 0)).isFalse();
        assertThat(tracker.duplicated()).isEqualTo(2);
        assertThat(tracker.lost(new long[]{2})).isZero();
    }

    @Test
    void whatNeverArrivedAfterTheLastOneIsLostToo() {
        SequenceTracker tracker = new SequenceTracker(2);
        tracker.record(0, 0);
        long[] sent = {3, 2};
        assertThat(tracker.caughtUp(sent)).isFalse();
        assertThat(tracker.lost(sent)).isEqualTo(2 + 2);
    }

    @Test
    void anUnknownPublisherIsNotCountedAsAMessage() {
        SequenceTracker tracker = new SequenceTracker(1);
        assertThat(tracker.record(5, 0)).isFalse();
        assertThat(tracker.received()).isZero();
    }
}
