package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.ErrorCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document the server publishes: every route, its security, every error code, a schema per answer. */
class OpenApiDocumentTest {
    private static final Map<String, String> ROUTES = Map.ofEntries(
            Map.entry("/ws/rooms", "get post"), Map.entry("/ws/rooms/{id}/join", "post"),
            Map.entry("/ws/rooms/{id}/leave", "post"), Map.entry("/ws/rooms/{id}/members", "get"),
            Map.entry("/ws/messages", "post"), Map.entry("/ws/users/online", "get"), Map.entry("/ws/users/{id}", "get"),
            Map.entry("/ws/stats", "get"), Map.entry("/ws/openapi.json", "get"), Map.entry("/", "get"),
            Map.entry("/ws/connect", "get"));
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Set<String> PUBLIC = Set.of("/ws/openapi.json", "/ws/connect");

    private static JsonNode document;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.json")) {
            assertThat(in).as("/openapi.json on the classpath").isNotNull();
            document = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void isOpenApi31() {
        assertThat(document.path("openapi").asText()).startsWith("3.1");
    }

    @Test
    void documentsEveryRouteWithItsMethods() {
        ROUTES.forEach((path, methods) -> {
            for (String method : methods.split(" ")) {
                assertThat(document.path("paths").path(path).has(method)).as(method + " " + path).isTrue();
            }
        });
    }

    @Test
    void protectedOperationsDeclareSecurity() {
        forEachOperation((where, operation) -> {
            String path = where.substring(where.indexOf(' ') + 1);
            if (path.startsWith("/ws/") && !PUBLIC.contains(path)) {
                assertThat(operation.path("security").isArray() && !operation.path("security").isEmpty())
                        .as(where + " declares security").isTrue();
            }
        });
    }

    @Test
    void theErrorSchemaListsEveryErrorCode() {
        JsonNode codes = document.at("/components/schemas/ErrorEnvelope/properties/error/properties/code/enum");
        List<String> documented = new ArrayList<>();
        codes.forEach(code -> documented.add(code.asText()));
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(documented).as("error codes in the error schema").contains(code.code());
        }
    }

    @Test
    void everyResponseHasASchema() {
        forEachOperation((where, operation) -> operation.path("responses").properties().forEach(response -> {
            JsonNode answer = response.getValue();
            if (answer.has("$ref")) {
                answer = document.at(answer.path("$ref").asText().substring(1));
            }
            // A body's schema, or for the bodiless 101 of the WebSocket upgrade, its headers' schemas.
            boolean schema = answer.path("content").findParent("schema") != null
                    || answer.path("headers").findParent("schema") != null;
            assertThat(schema).as(where + " " + response.getKey() + " has a schema").isTrue();
        }));
    }

    private static void forEachOperation(BiConsumer<String, JsonNode> check) {
        document.path("paths").properties().forEach(path -> path.getValue().properties().stream()
                .filter(operation -> METHODS.contains(operation.getKey()))
                .forEach(operation -> check.accept(operation.getKey() + " " + path.getKey(), operation.getValue())));
    }
}
