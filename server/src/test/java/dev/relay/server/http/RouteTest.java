package dev.relay.server.http;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTest {

    // ---- split ---------------------------------------------------------------------------------------------

    @Test
    void rootHasNoSegments() {
        assertThat(Route.split("/")).isEmpty();
    }

    @Test
    void emptyPathIsTheRoot() {
        // What QueryStringDecoder gives for a request target such as "?token=x".
        assertThat(Route.split("")).isEmpty();
    }

    @Test
    void splitsOnSlashes() {
        assertThat(Route.split("/ws")).containsExactly("ws");
        assertThat(Route.split("/ws/rooms/{id}/join")).containsExactly("ws", "rooms", "{id}", "join");
    }

    @Test
    void oneTrailingSlashIsDropped() {
        assertThat(Route.split("/ws/rooms/")).containsExactly("ws", "rooms");
        assertThat(Route.split("/ws/rooms//")).containsExactly("ws", "rooms", "");
    }

    @Test
    void emptySegmentsInsideAreKept() {
        assertThat(Route.split("/ws//rooms")).containsExactly("ws", "", "rooms");
    }

    @Test
    void pathWithoutALeadingSlashKeepsItsFirstCharacter() {
        assertThat(Route.split("ws/rooms")).containsExactly("ws", "rooms");
    }

    // ---- match ---------------------------------------------------------------------------------------------

    @Test
    void exactPathMatchesWithoutParameters() {
        Route route = route("/ws/rooms");

        assertThat(route.match(Route.split("/ws/rooms"))).isEmpty();
        assertThat(route.match(Route.split("/ws/rooms/"))).isEmpty();
    }

    @Test
    void differentSegmentDoesNotMatch() {
        Route route = route("/ws/rooms");

        assertThat(route.match(Route.split("/ws/room"))).isNull();
        assertThat(route.match(Route.split("/ws/Rooms"))).as("paths are case-sensitive").isNull();
        assertThat(route.match(Route.split("/api/rooms"))).isNull();
    }

    @Test
    void lengthMismatchDoesNotMatch() {
        Route route = route("/ws/rooms");

        assertThat(route.match(Route.split("/ws"))).isNull();
        assertThat(route.match(Route.split("/ws/rooms/extra"))).isNull();
        assertThat(route.match(Route.split("/"))).isNull();
    }

    @Test
    void parameterCapturesItsSegment() {
        Route route = route("/ws/rooms/{id}/join");

        Map<String, String> parameters = route.match(Route.split("/ws/rooms/lobby/join"));

        assertThat(parameters).containsExactly(Map.entry("id", "lobby"));
    }

    @Test
    void parameterRouteStillNeedsItsFixedSegments() {
        Route route = route("/ws/rooms/{id}/join");

        assertThat(route.match(Route.split("/ws/rooms/lobby/leave"))).isNull();
        assertThat(route.match(Route.split("/ws/rooms/lobby"))).isNull();
        assertThat(route.match(Route.split("/ws/rooms/lobby/join/now"))).isNull();
        assertThat(route.match(Route.split("/ws/rooms"))).isNull();
    }

    @Test
    void severalParameters() {
        Route route = route("/ws/{kind}/{id}");

        assertThat(route.match(Route.split("/ws/rooms/lobby")))
                .containsOnly(Map.entry("kind", "rooms"), Map.entry("id", "lobby"));
    }

    @Test
    void parameterTakesTheSegmentAsItIs() {
        Route route = route("/ws/rooms/{id}/join");

        assertThat(route.match(Route.split("/ws/rooms/{id}/join"))).containsExactly(Map.entry("id", "{id}"));
        assertThat(route.match(Route.split("/ws/rooms/a.b-c_d/join"))).containsExactly(Map.entry("id", "a.b-c_d"));
    }

    @Test
    void rootRouteMatchesOnlyTheRoot() {
        Route root = route("/");

        assertThat(root.match(Route.split("/"))).isEmpty();
        assertThat(root.match(Route.split(""))).isEmpty();
        assertThat(root.match(Route.split("/ws"))).isNull();
        assertThat(route("/ws").match(Route.split("/"))).isNull();
    }

    @Test
    void patternIsSplitLikeAPath() {
        assertThat(route("/ws/rooms/").segments()).containsExactly("ws", "rooms");
        assertThat(route("/ws/rooms/").match(Route.split("/ws/rooms"))).isEmpty();
    }

    private static Route route(String pattern) {
        return Route.of(HttpMethod.GET, pattern, false, call -> {
        });
    }
}
