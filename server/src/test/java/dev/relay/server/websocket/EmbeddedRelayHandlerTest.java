package dev.relay.server.websocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which paths a host's pipeline hands to Relay, and the prefixes it accepts. */
class EmbeddedRelayHandlerTest {
    private static EmbeddedRelayHandler under(String prefix) {
        return new EmbeddedRelayHandler(EmbeddedRelayHandler.normalizePrefix(prefix), null, null);
    }

    @Test
    void relaysPathsUnderThePrefixLoseThePrefixAndKeepTheirQuery() {
        EmbeddedRelayHandler chat = under("/chat");
        assertThat(chat.relayUri("/chat/ws/connect?room_id=a&token=t")).isEqualTo("/ws/connect?room_id=a&token=t");
        assertThat(chat.relayUri("/chat/ws/rooms/a/members")).isEqualTo("/ws/rooms/a/members");
        assertThat(chat.relayUri("/chat/ws")).isEqualTo("/ws");
        assertThat(chat.relayUri("/chat/ws?x=1")).isEqualTo("/ws?x=1");
    }

    @Test
    void everythingElseStaysTheHosts() {
        EmbeddedRelayHandler chat = under("/chat");
        for (String uri : new String[]{"/ws/connect", "/chat", "/chat/", "/chatroom/ws/connect", "/chat/wsx",
                "/chat/api/ws/x", "/hello", "/chat?/ws/connect"}) {
            assertThat(chat.relayUri(uri)).as(uri).isNull();
        }
    }

    @Test
    void anEmptyPrefixServesRelaysOwnPaths() {
        EmbeddedRelayHandler root = under("");
        assertThat(root.relayUri("/ws/connect")).isEqualTo("/ws/connect");
        assertThat(root.relayUri("/hello")).isNull();
        assertThat(EmbeddedRelayHandler.normalizePrefix("/")).isEmpty();
    }

    @Test
    void prefixesAreNormalizedOrRefused() {
        assertThat(EmbeddedRelayHandler.normalizePrefix("/chat/")).isEqualTo("/chat");
        assertThat(EmbeddedRelayHandler.normalizePrefix(" /a/b ")).isEqualTo("/a/b");
        for (String bad : new String[]{"chat", "/chat?x", "/chat#top"}) {
            assertThatThrownBy(() -> EmbeddedRelayHandler.normalizePrefix(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        }
    }
}
