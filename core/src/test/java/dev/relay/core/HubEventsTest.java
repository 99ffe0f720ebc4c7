package dev.relay.core;

import dev.relay.core.event.EventListener;
import dev.relay.core.event.EventStream;
import dev.relay.core.event.RelayEvent;
import dev.relay.core.event.StreamingObserver;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.room.RoomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The events a session produces, through the real stream, in the order they happened. */
class HubEventsTest extends HubTestSupport {
    private final List<RelayEvent> got = new CopyOnWriteArrayList<>();
    private final EventStream stream = new EventStream(List.of(new EventListener() {
        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void onEvent(RelayEvent event) {
            got.add(event);
        }
    }), 1000);

    @Override
    HubObserver observer() {
        return new StreamingObserver(stream, Clock.systemUTC());
    }

    @AfterEach
    void closeStream() {
        stream.close();
    }

    /** Each event as "name ids...", without its time. */
    private List<String> lines(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= count);
        return got.stream().map(event -> {
            var fields = new java.util.LinkedHashMap<>(event.fields());
            fields.remove("timestamp");
            fields.remove("message_id");
            return String.join(" ", fields.values().stream().map(String::valueOf).toList());
        }).toList();
    }

    @Test
    void aSessionProducesItsEventsInOrder() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "support"));
        alice.send(roomMessage("support", "hello"));
        alice.send(status("s", "busy"));
        alice.send(leaveRoom("l", "support"));
        alice.disconnect();

        String epoch = epoch("support");
        assertThat(lines(10)).containsExactly(
                "user_online alice",
                "room_occupied general",
                "member_joined support alice",
                "room_occupied support",
                "room_message support alice 1 " + epoch + " hello",
                "user_status alice busy false",
                "member_left support alice",
                "room_vacated support",
                "room_vacated general",
                "user_offline alice");
    }

    @Test
    void aSecondConnectionOrUserIsNoNewTransition() {
        connect(loop1, "alice", "general");
        Client second = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "general");
        second.disconnect();
        bob.disconnect();
        syncAll();

        assertThat(lines(4)).containsExactly("user_online alice", "room_occupied general", "user_online bob",
                "user_offline bob");
    }

    @Test
    void privateMessagesBroadcastsAndRoomsAreReportedOnceEach() {
        connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        lines(3); // alice online, general occupied, bob online: delivered before they are forgotten
        got.clear();

        bob.send(privateMessage("alice", "psst"));
        hub().publish(admin("ops"), broadcast("maintenance"));
        hub().admin().createRoom(admin("ops"), new RoomSpec("lobby", "Lobby", null));
        hub().admin().joinUser("bob", "lobby").join();
        hub().admin().leaveUser("bob", "lobby").join();
        hub().admin().closeRoom(admin("ops"), "lobby").join();
        syncAll();

        assertThat(lines(8)).containsExactly(
                "private_message bob alice psst",
                "broadcast ops maintenance",
                "room_created lobby ops",
                "member_joined lobby bob",
                "room_occupied lobby",
                "member_left lobby bob",
                "room_vacated lobby",
                "room_deleted lobby ops");
    }

    @Test
    void anAutomaticAwayAndTheReturnFromItAreReportedAsAutomatic() {
        configure(settings -> settings.userStatusTimeout = Duration.ofSeconds(30));
        Client alice = connect(loop1, "alice", "general");
        lines(2); // online, occupied
        got.clear();

        clock.advance(Duration.ofSeconds(30));
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        alice.send(roomMessage("general", "back"));
        syncAll();

        assertThat(lines(3).subList(0, 2)).containsExactly("user_status alice away true",
                "user_status alice online true");
    }
}
