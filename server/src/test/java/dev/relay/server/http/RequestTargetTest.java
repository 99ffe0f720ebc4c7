package dev.relay.server.http;

import dev.relay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestTargetTest {

    @Test
    void eachSegmentIsDecodedOnce() {
        assertThat(RequestTarget.parse("/ws/%63onnect?room_id=a").is("/ws/connect")).isTrue();
        assertThat(RequestTarget.parse("/ws/users/x%2541y/activity").segments())
                .containsExactly("ws", "users", "x%41y", "activity");
    }

    @Test
    void anEncodedSlashStaysInsideItsSegment() {
        RequestTarget target = RequestTarget.parse("/ws%2Fconnect");

        assertThat(target.segments()).containsExactly("ws/connect");
        assertThat(target.is("/ws/connect")).isFalse();
    }

    @Test
    void plusIsAPlusInAPath() {
        assertThat(RequestTarget.parse("/ws/rooms/a+b").segments()).containsExactly("ws", "rooms", "a+b");
    }

    @Test
    void theQueryIsKeptAsItCameForTheHandshaker() {
        RequestTarget target = RequestTarget.parse("/ws/%63onnect?token=a%2Eb&room_id=x#frag");

        assertThat(target.withPath("/ws/connect")).isEqualTo("/ws/connect?token=a%2Eb&room_id=x");
        assertThat(target.parameters().get("token")).containsExactly("a.b");
        assertThat(RequestTarget.parse("/ws/connect").withPath("/ws/connect")).isEqualTo("/ws/connect");
    }

    @Test
    void badEscapesAndInvalidUtf8AreRefused() {
        for (String uri : new String[]{"/%zz", "/%4", "/a%", "/%C3%28", "/ws/rooms?limit=%zz"}) {
            assertThatThrownBy(() -> RequestTarget.parse(uri)).as(uri).isInstanceOf(ProtocolException.class);
        }
        assertThat(RequestTarget.parse("/%C3%A9t%C3%A9").segments()).containsExactly("été");
    }
}
