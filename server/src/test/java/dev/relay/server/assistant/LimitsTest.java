package dev.relay.server.assistant;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The concurrency slots on both sides of the limit, per room and in total; the room patterns. */
class LimitsTest {
    @Test
    void slots_hold_max_per_room_and_max_in_total() {
        Slots slots = new Slots(2);
        assertThat(slots.take("general")).isTrue();
        assertThat(slots.take("general")).isTrue();
        assertThat(slots.take("general")).as("third in the room").isFalse();
        assertThat(slots.take("other")).as("third in total").isFalse();
        assertThat(slots.take(null)).as("a private question counts in the total").isFalse();
        slots.give("general");
        assertThat(slots.take("other")).isTrue();
        assertThat(slots.active()).isEqualTo(2);
        slots.give("general");
        slots.give("other");
        assertThat(slots.active()).isZero();
        assertThat(slots.take(null)).isTrue();
    }

    @Test
    void one_slot_per_room_still_lets_another_room_in_under_the_total() {
        Slots slots = new Slots(1);
        assertThat(slots.take("a")).isTrue();
        assertThat(slots.take("b")).isFalse();
        slots.give("a");
        assertThat(slots.take("b")).isTrue();
    }

    @Test
    void room_patterns_match_whole_ids_with_star_for_any_characters() {
        RoomPatterns patterns = RoomPatterns.of(List.of("support-*", "general"));
        assertThat(patterns.matches("general")).isTrue();
        assertThat(patterns.matches("support-eu")).isTrue();
        assertThat(patterns.matches("support-")).isTrue();
        assertThat(patterns.matches("general2")).isFalse();
        assertThat(patterns.matches("my-support-eu")).isFalse();
        assertThat(RoomPatterns.of(List.of("*")).matches("anything")).isTrue();
        assertThat(RoomPatterns.of(List.of("a.b")).matches("axb")).as("only * is special").isFalse();
    }
}
