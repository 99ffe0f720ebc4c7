package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document the server publishes: exactly the routes the server registers (on either port), their
 * security, every error code, a schema per answer.
 */
class OpenApiDocumentTest {
    /** Served by the upgrade gate rather than a router, and described all the same. */
    private static final Router.Endpoint CONNECT = new Router.Endpoint("GET", "/ws/connect", true);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Set<String> PUBLIC = Set.of("/ws/openapi.json", "/ws/connect", "/ws/client.js", "/ws/client.d.ts",
            "/ws/docs", "/ws/docs/{file}");

    private static JsonNode document;
    /** What the server registers, each port's routes together (a route lives on one port or the other). */
    private static List<Router.Endpoint> registered;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.json")) {
            assertThat(in).as("/openapi.json on the classpath").isNotNull();
            document = new ObjectMapper().readTree(in);
        }
        RelayConfig config = ConfigLoader.load(null, Map.of(), Map.of("internal_port", "0", "internal_admin", "true",
                "log_dir", "target/openapi-test-logs")).withJwtSecret("s".repeat(32));
        try (WebSocketService service = WebSocketService.create(config)) { // built, never started: no port bound
            registered = new ArrayList<>(service.endpoints());
        }
        registered.add(CONNECT);
    }

    @Test
    void everyRegisteredRouteIsDescribed() {
        for (Router.Endpoint endpoint : registered) {
            assertThat(document.path("paths").path(endpoint.path()).has(endpoint.method().toLowerCase(Locale.ROOT)))
                    .as(endpoint.method() + " " + endpoint.path() + " is described").isTrue();
        }
    }

    @Test
    void everyDescribedRouteIsRegistered() {
        forEachOperation((where, operation) -> {
            String method = where.substring(0, where.indexOf(' ')).toUpperCase(Locale.ROOT);
            String path = where.substring(where.indexOf(' ') + 1);
            assertThat(registered).as(where + " is served")
                    .anyMatch(endpoint -> endpoint.method().equals(method) && endpoint.path().equals(path));
        });
    }

    @Test
    void publicRoutesAndOnlyThoseDeclareNoSecurity() {
        for (Router.Endpoint endpoint : registered) {
            JsonNode security = document.path("paths").path(endpoint.path())
                    .path(endpoint.method().toLowerCase(Locale.ROOT)).path("security");
            assertThat(security.isArray()).as(endpoint + " declares its security").isTrue();
            assertThat(security.isEmpty()).as(endpoint + " needs no token").isEqualTo(!endpoint.authenticated());
        }
    }

    @Test
    void isAValidOpenApiDocumentByTheSpecification() throws IOException {
        io.swagger.v3.parser.core.models.SwaggerParseResult parsed = new io.swagger.v3.parser.OpenAPIV3Parser()
                .readContents(new String(bytes(), java.nio.charset.StandardCharsets.UTF_8), null,
                        new io.swagger.v3.parser.core.models.ParseOptions());

        assertThat(parsed.getMessages()).as("what swagger-parser finds wrong").isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).hasSize(document.path("paths").size());
    }

    @Test
    void noKeyIsGivenTwice() throws IOException {
        // A repeated key is legal JSON that every parser resolves silently: the first of two operations vanished.
        ObjectMapper strict = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        assertThat(strict.readTree(bytes()).path("paths").size()).isEqualTo(document.path("paths").size());
    }

    private static byte[] bytes() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void isOpenApi31() {
        assertThat(document.path("openapi").asText()).startsWith("3.1");
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
