package dev.relay.server.stomp;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StompMappingTest {
    @Test
    void versionsPreferTwelveAndRefuseTenAlone() {
        assertThat(StompVersions.negotiate("1.0,1.1,1.2")).isEqualTo("1.2");
        assertThat(StompVersions.negotiate("1.1")).isEqualTo("1.1");
        assertThatThrownBy(() -> StompVersions.negotiate("1.0")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> StompVersions.negotiate(null)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void heartBeatsAreTwoWholeNumbers() {
        assertThat(StompVersions.heartBeat("10000,5000")).containsExactly(10000, 5000);
        assertThat(StompVersions.heartBeat(null)).containsExactly(0, 0);
        assertThatThrownBy(() -> StompVersions.heartBeat("10")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> StompVersions.heartBeat("-1,0")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void destinations() {
        assertThat(Destination.subscription("/topic/rooms.general"))
                .isEqualTo(new Destination(Destination.Kind.ROOM, "general"));
        assertThat(Destination.subscription("/user/queue/messages").kind()).isEqualTo(Destination.Kind.PRIVATE);
        assertThat(Destination.subscription("/topic/broadcast").kind()).isEqualTo(Destination.Kind.BROADCAST);
        assertThat(Destination.send("/app/users.bob")).isEqualTo(new Destination(Destination.Kind.TO_USER, "bob"));
        assertThat(Destination.send("/app/rooms.r1").name()).isEqualTo("/app/rooms.r1");
        assertThatThrownBy(() -> Destination.subscription("/topic/rooms."))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.INVALID_FIELD));
        assertThatThrownBy(() -> Destination.send(null)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_FIELD));
    }

    @Test
    void oneSubscriptionPerDestinationAndPerId() {
        Subscriptions subscriptions = new Subscriptions();
        subscriptions.add("s1", Destination.subscription("/topic/rooms.a"));
        assertThatThrownBy(() -> subscriptions.add("s2", Destination.subscription("/topic/rooms.a")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> subscriptions.add("s1", Destination.subscription("/topic/rooms.b")))
                .isInstanceOf(ProtocolException.class);
        assertThat(subscriptions.roomId("a")).isEqualTo("s1");
        assertThat(subscriptions.remove("s1")).isEqualTo(new Destination(Destination.Kind.ROOM, "a"));
        assertThat(subscriptions.roomId("a")).isNull();
        assertThat(subscriptions.remove("s1")).isNull();
    }
}
