package dev.relay.server.assistant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Hub;
import dev.relay.core.identity.Identity;
import dev.relay.core.local.LocalClients;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.testing.TestServer;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The assistant's presence follows its model server, on both sides: online and in its allowed public rooms while the
 * probe succeeds, offline when it fails, online again when it comes back; rooms created later are joined, private
 * rooms and rooms outside {@code assistant_rooms} never. Probes are run by hand here (the service runs them every
 * 15 s).
 */
class AvailabilityIT {
    @Test
    void online_while_the_model_server_answers_and_offline_when_it_does_not() {
        try (TestServer server = TestServer.start(Map.of("default_rooms", "general,support,news"))) {
            Hub hub = server.service().hub();
            AtomicBoolean up = new AtomicBoolean(true);
            try (LocalClients local = new LocalClients(hub,
                    new JsonCodec(new ObjectMapper(), PooledByteBufAllocator.DEFAULT)::read);
                 Availability availability = new Availability(hub, local, new Identity("bot", "Bot", Set.of()),
                         RoomPatterns.of(List.of("general", "sup*", "late-*")), up::get)) {
                availability.check();
                assertThat(availability.online()).isTrue();
                await().untilAsserted(() -> assertThat(hub.queries().user("bot").rooms())
                        .containsExactlyInAnyOrder("general", "support"));
                assertThat(hub.queries().onlineUsers()).isEqualTo(1);

                assertThat(server.http().post("/ws/rooms", server.adminToken("ops"), "{\"id\":\"late-room\"}")
                        .status()).isEqualTo(201);
                availability.roomCreated("late-room");
                availability.roomCreated("news"); // exists, but not allowed
                await().untilAsserted(() -> assertThat(hub.queries().user("bot").rooms())
                        .containsExactlyInAnyOrder("general", "support", "late-room"));

                up.set(false);
                availability.check();
                assertThat(availability.online()).isFalse();
                await().until(() -> hub.queries().onlineUsers() == 0);

                up.set(true);
                availability.check();
                assertThat(availability.online()).isTrue();
                await().until(() -> hub.queries().onlineUsers() == 1);
            }
            await().until(() -> hub.queries().onlineUsers() == 0); // closed with the assistant
        }
    }
}
