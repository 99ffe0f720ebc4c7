package dev.relay.server.access;

import dev.relay.server.config.ConfigException;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The geographic restriction, with test-country.mmdb (made by make-test-country-db.pl next to it): 203.0.113.0/24
 * is FR, 198.51.100.0/24 US, 2001:db8:1::/48 CN. Clients are placed there through a trusted proxy header.
 */
class GeoIT {
    private static String database() {
        try {
            return Path.of(GeoIT.class.getResource("/geo/test-country.mmdb").toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int status(TestServer server, String clientAddress) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("traveller"),
                Map.of("X-Forwarded-For", clientAddress))) {
            return ws.handshake().status();
        }
    }

    @Test
    void deniedCountriesAreRefusedAndOthersPass() throws Exception {
        try (TestServer server = TestServer.start(Map.of("geo_database", database(), "geo_denied_countries", "fr",
                "trusted_proxies", "127.0.0.1,::1"))) {
            assertThat(status(server, "203.0.113.9")).isEqualTo(403);
            assertThat(status(server, "198.51.100.9")).isEqualTo(101);
            assertThat(status(server, "192.0.2.1")).as("not in the database").isEqualTo(101);
            assertThat(server.http().send(server.http().request("/ws/rooms", server.token("t"))
                    .header("X-Forwarded-For", "203.0.113.9").GET().build()).status()).as("REST").isEqualTo(403);
        }
    }

    @Test
    void withAnAllowListOnlyThoseCountriesPass() throws Exception {
        try (TestServer server = TestServer.start(Map.of("geo_database", database(),
                "geo_allowed_countries", "US,CN", "trusted_proxies", "127.0.0.1,::1"))) {
            assertThat(status(server, "198.51.100.9")).isEqualTo(101);
            assertThat(status(server, "[2001:db8:1::5]")).isEqualTo(101);
            assertThat(status(server, "203.0.113.9")).isEqualTo(403);
            assertThat(status(server, "192.0.2.1")).as("unplaced addresses fail an allow list").isEqualTo(403);
        }
    }

    @Test
    void countryListsWithoutADatabaseStopStartup() {
        assertThatThrownBy(() -> TestServer.start(Map.of("geo_denied_countries", "FR")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("geo_database");
        assertThatThrownBy(() -> TestServer.start(Map.of("geo_denied_countries", "France")))
                .hasMessageContaining("two-letter");
    }
}
