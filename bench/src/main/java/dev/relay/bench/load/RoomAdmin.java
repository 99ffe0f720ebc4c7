package dev.relay.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Creates the rooms a run needs through Relay's REST API, as an admin; a room that exists already is fine. */
final class RoomAdmin {
    private final URI rooms;
    private final String adminToken;

    RoomAdmin(LoadSettings settings, Tokens tokens) {
        URI url = settings.url();
        String scheme = "wss".equals(url.getScheme()) ? "https" : "http";
        this.rooms = URI.create(scheme + "://" + url.getHost() + ":" + settings.port() + "/ws/rooms");
        this.adminToken = tokens.admin();
    }

    void ensureRooms(List<String> ids) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            for (String id : ids) {
                HttpRequest request = HttpRequest.newBuilder(rooms)
                        .timeout(Duration.ofSeconds(5))
                        .header("Authorization", "Bearer " + adminToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}"))
                        .build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 != 2 && response.statusCode() != 409) {
                    throw new IllegalStateException("creating room " + id + " failed: HTTP " + response.statusCode()
                            + " " + response.body());
                }
            }
        }
    }
}
