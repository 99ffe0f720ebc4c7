package dev.relay.core.session;

import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.DeliveryLane;
import dev.relay.core.delivery.Outbox;
import dev.relay.core.delivery.Slot;
import dev.relay.core.testing.TestConnection;
import dev.relay.core.testing.TestLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A session's rooms: the array form for the usual few rooms, the map past {@link JoinedRooms#ARRAY_LIMIT}. */
class JoinedRoomsTest {
    private final TestLoop loop = new TestLoop("rooms");
    private final Outbox outbox = new DeliveryLane(loop, 100).outboxFor(new TestConnection(loop, "client"));
    private final JoinedRooms rooms = new JoinedRooms();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private Slot slot() {
        return new Audience().add(outbox);
    }

    @Test
    void emptyKnowsNoRoom() {
        assertThat(rooms.contains("general")).isFalse();
        assertThat(rooms.get("general")).isNull();
        assertThat(rooms.remove("general")).isNull();
        assertThat(rooms.ids()).isEmpty();
    }

    @Test
    void keepsEachRoomsSlotInJoinOrder() {
        Slot general = slot();
        Slot lounge = slot();
        Slot dev = slot();
        rooms.put("general", general);
        rooms.put("lounge", lounge);
        rooms.put("dev", dev);

        assertThat(rooms.ids()).containsExactly("general", "lounge", "dev");
        assertThat(rooms.get("lounge")).isSameAs(lounge);
        assertThat(rooms.contains("dev")).isTrue();
        assertThat(rooms.contains("other")).isFalse();
    }

    @Test
    void removingKeepsTheOrderOfTheRest() {
        Slot lounge = slot();
        rooms.put("general", slot());
        rooms.put("lounge", lounge);
        rooms.put("dev", slot());

        assertThat(rooms.remove("lounge")).isSameAs(lounge);
        assertThat(rooms.remove("lounge")).isNull();
        assertThat(rooms.ids()).containsExactly("general", "dev");
        rooms.put("lounge", lounge);
        assertThat(rooms.ids()).containsExactly("general", "dev", "lounge");
    }

    @Test
    void joiningAgainReplacesTheSlotInPlace() {
        Slot first = slot();
        Slot resumed = slot();
        rooms.put("general", first);
        rooms.put("lounge", slot());
        rooms.put("general", resumed);

        assertThat(rooms.get("general")).isSameAs(resumed);
        assertThat(rooms.ids()).containsExactly("general", "lounge");
    }

    @Test
    void idsAreASnapshot() {
        rooms.put("general", slot());
        List<String> before = rooms.ids();
        rooms.put("lounge", slot());
        rooms.remove("general");

        assertThat(before).containsExactly("general");
    }

    @Test
    void pastTheArrayLimitEveryOperationStillWorksInOrder() {
        int count = JoinedRooms.ARRAY_LIMIT * 3;
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Slot slot = slot();
            slots.add(slot);
            rooms.put("room-" + i, slot);
        }
        assertThat(rooms.ids()).containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "room-" + i).toList());
        for (int i = 0; i < count; i++) {
            assertThat(rooms.get("room-" + i)).isSameAs(slots.get(i));
        }
        assertThat(rooms.remove("room-0")).isSameAs(slots.get(0));
        assertThat(rooms.contains("room-0")).isFalse();
        rooms.put("room-0", slots.get(0));
        assertThat(rooms.ids()).endsWith("room-0").hasSize(count);
    }

    @Test
    void exactlyAtTheLimitStaysCorrectAcrossTheSwitch() {
        for (int i = 0; i < JoinedRooms.ARRAY_LIMIT; i++) {
            rooms.put("room-" + i, slot());
        }
        rooms.put("room-3", slot()); // a replacement at the limit is no new room
        assertThat(rooms.ids()).hasSize(JoinedRooms.ARRAY_LIMIT);
        rooms.put("one-more", slot());
        assertThat(rooms.ids()).hasSize(JoinedRooms.ARRAY_LIMIT + 1).startsWith("room-0").endsWith("one-more");
    }
}
