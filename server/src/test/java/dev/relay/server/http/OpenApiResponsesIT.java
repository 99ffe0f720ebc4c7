package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real answers of a running server, successes and errors, each checked against the schema the OpenAPI document
 * gives for its operation and status: a field renamed in the code or in the document fails here.
 */
class OpenApiResponsesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static JsonNode document;
    private static TestServer server;
    private static Http http;
    private final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        try (InputStream in = OpenApiResponsesIT.class.getResourceAsStream("/openapi.json")) {
            document = JSON.readTree(in);
        }
        server = TestServer.start(Map.of("enable_message_persistence", "true",
                "database_url", "jdbc:sqlite:target/openapi-responses.db"));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyAnswerMatchesItsDocumentedSchema() {
        String admin = server.adminToken("ops");
        String alice = server.token("alice");
        try (WsClient connected = server.connect("alice", "general")) {
            check("post", "/ws/rooms", http.post("/ws/rooms", admin, "{\"id\":\"schema-room\",\"name\":\"Schema\"}"));
            check("get", "/ws/rooms", http.get("/ws/rooms", alice));
            check("post", "/ws/rooms/{id}/join", http.post("/ws/rooms/schema-room/join", alice, ""));
            check("get", "/ws/rooms/{id}/members", http.get("/ws/rooms/schema-room/members", alice));
            check("post", "/ws/messages", http.post("/ws/messages", alice,
                    "{\"type\":\"room_message\",\"room_id\":\"schema-room\",\"content\":\"hello schema\"}"));
            check("post", "/ws/messages", http.post("/ws/messages", alice,
                    "{\"type\":\"private_message\",\"to\":\"bob\",\"content\":\"psst\"}"));
            check("get", "/ws/rooms/{id}/messages", http.get("/ws/rooms/schema-room/messages?limit=10", alice));
            check("get", "/ws/users/{id}/messages", http.get("/ws/users/alice/messages?with=bob", alice));
            check("get", "/ws/messages/search", http.get("/ws/messages/search?q=schema", alice));
            check("get", "/ws/users/online", http.get("/ws/users/online", alice));
            check("get", "/ws/users/{id}", http.get("/ws/users/alice", alice));
            check("get", "/ws/stats", http.get("/ws/stats", alice));
            check("get", "/ws/users/{id}/activity", http.get("/ws/users/alice/activity", admin));
            check("get", "/ws/alerts", http.get("/ws/alerts", admin));
            check("get", "/health/live", http.get("/health/live", null));
            check("get", "/health/ready", http.get("/health/ready", null));
            check("post", "/ws/rooms/{id}/leave", http.post("/ws/rooms/schema-room/leave", alice, ""));
            check("delete", "/ws/users/{id}/connections", http.send("DELETE", "/ws/users/alice/connections", admin,
                    "{\"reason\":\"schema check\"}"));
        }
        check("delete", "/ws/rooms/{id}", http.send("DELETE", "/ws/rooms/schema-room", admin, null));
        // Errors, in the envelope with their documented status.
        check("get", "/ws/rooms", http.get("/ws/rooms", null));
        check("post", "/ws/rooms", http.post("/ws/rooms", alice, "{\"id\":\"not-yours\"}"));
        check("post", "/ws/rooms", http.post("/ws/rooms", admin, "{\"id\":\"bad id!\"}"));
        check("get", "/ws/rooms/{id}/members", http.get("/ws/rooms/atlantis/members", alice));
        check("post", "/ws/messages", http.post("/ws/messages", alice, "{\"type\":\"room_message\"}"));
        check("delete", "/ws/rooms/{id}", http.send("DELETE", "/ws/rooms/general", admin, null));

        assertThat(problems).isEmpty();
    }

    @Test
    void theCheckRejectsAnAnswerThatDoesNotMatch() {
        JsonNode wrong = JSON.createObjectNode().put("success", true).put("data", "not an object");

        assertThat(errors("get", "/ws/stats", 200, wrong)).isNotEmpty();
        assertThat(errors("get", "/ws/stats", 200, http.get("/ws/stats", server.token("carol")).body())).isEmpty();
    }

    private void check(String method, String path, Http.Response response) {
        JsonNode responses = document.path("paths").path(path).path(method).path("responses");
        String status = Integer.toString(response.status());
        if (!responses.has(status)) {
            problems.add(method.toUpperCase(Locale.ROOT) + " " + path + " answered " + status
                    + ", which the document does not list: " + response.body());
            return;
        }
        for (Error error : errors(method, path, response.status(), response.body())) {
            problems.add(method.toUpperCase(Locale.ROOT) + " " + path + " " + status + ": " + error + " in "
                    + response.body());
        }
    }

    /** The body checked against the operation's JSON schema for that status, with the document's components. */
    private static List<Error> errors(String method, String path, int status, JsonNode body) {
        JsonNode answer = document.path("paths").path(path).path(method).path("responses").path(Integer.toString(status));
        if (answer.has("$ref")) {
            answer = document.at(answer.path("$ref").asText().substring(1));
        }
        JsonNode schema = answer.path("content").path("application/json").path("schema");
        assertThat(schema.isMissingNode()).as(method + " " + path + " " + status + " has a JSON schema").isFalse();
        // The schema with the document's components beside it, so its "#/components/..." references resolve.
        ObjectNode root = schema.deepCopy();
        root.set("components", document.path("components"));
        return SCHEMAS.getSchema(root).validate(body);
    }
}
