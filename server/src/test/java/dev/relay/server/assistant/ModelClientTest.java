package dev.relay.server.assistant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server-sent events reader against bodies written byte for byte, the way different servers write them: the
 * text pieces it hands on and how it says the stream ended. A local JDK HTTP server answers each request with the
 * body under test.
 */
class ModelClientTest {
    private HttpServer server;
    private volatile int status = 200;
    private volatile String body = "";
    private HttpClient http;
    private ModelClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.createContext("/v1/models", exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        client = new ModelClient(http, new ObjectMapper(),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"), Optional.empty(), "m", 16);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    private record Result(Outcome outcome, List<String> pieces) {
    }

    private Result stream(String sse) {
        body = sse;
        List<String> pieces = new ArrayList<>();
        Outcome outcome = client.stream(List.of(ChatTurn.user("q")), pieces::add, new ModelClient.Call());
        return new Result(outcome, pieces);
    }

    private static String chunk(String content) {
        return "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + content + "\"},\"finish_reason\":null}]}";
    }

    @Test
    void pieces_are_handed_on_in_order_until_done() {
        Result r = stream("data: " + chunk("Hel") + "\n\ndata: " + chunk("lo") + "\n\ndata: [DONE]\n\n");
        assertThat(r.outcome()).isEqualTo(Outcome.DONE);
        assertThat(r.pieces()).containsExactly("Hel", "lo");
    }

    @Test
    void crlf_lines_comments_other_fields_and_data_without_a_space_are_read_as_the_standard_says() {
        Result r = stream(": keep-alive\r\nevent: message\r\nid: 1\r\ndata:" + chunk("a") + "\r\n\r\n"
                + "retry: 100\r\ndata: " + chunk("b") + "\r\n\r\ndata: [DONE]\r\n\r\n");
        assertThat(r.outcome()).isEqualTo(Outcome.DONE);
        assertThat(r.pieces()).containsExactly("a", "b");
    }

    @Test
    void one_event_may_spread_its_data_over_several_lines() {
        Result r = stream("data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"joined\"}}]}\n\ndata: [DONE]\n\n");
        assertThat(r.outcome()).isEqualTo(Outcome.DONE);
        assertThat(r.pieces()).containsExactly("joined");
    }

    @Test
    void role_only_and_finish_chunks_and_a_done_without_its_blank_line_carry_no_text() {
        Result r = stream("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                + "data: " + chunk("x") + "\n\n"
                + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]");
        assertThat(r.outcome()).isEqualTo(Outcome.DONE);
        assertThat(r.pieces()).containsExactly("x");
    }

    @Test
    void a_stream_that_ends_without_done_is_an_error_keeping_what_came() {
        Result r = stream("data: " + chunk("half") + "\n\n");
        assertThat(r.outcome().isError()).isTrue();
        assertThat(r.outcome().reason()).contains("broke off");
        assertThat(r.pieces()).containsExactly("half");
    }

    @Test
    void an_error_object_in_the_stream_ends_it_with_its_message() {
        Result r = stream("data: " + chunk("a") + "\n\ndata: {\"error\":{\"message\":\"out of memory\"}}\n\n");
        assertThat(r.outcome()).isEqualTo(Outcome.error("the model server failed: out of memory"));
    }

    @Test
    void a_chunk_that_is_not_json_is_an_error() {
        Result r = stream("data: {not json\n\n");
        assertThat(r.outcome().reason()).contains("not a completion chunk");
    }

    @Test
    void error_statuses_carry_the_servers_message_in_each_common_shape() {
        status = 404;
        assertThat(stream("{\"error\":\"model 'llama9' not found\"}").outcome())
                .as("Ollama").isEqualTo(Outcome.error("the model server answered 404: model 'llama9' not found"));
        status = 400;
        assertThat(stream("{\"object\":\"error\",\"message\":\"max_tokens is too large\",\"code\":400}").outcome())
                .as("vLLM").isEqualTo(Outcome.error("the model server answered 400: max_tokens is too large"));
        status = 503;
        assertThat(stream("<html>Service Unavailable</html>").outcome())
                .as("no JSON").isEqualTo(Outcome.error("the model server answered 503"));
        status = 500;
        assertThat(stream("{\"error\":{\"message\":\"" + "x".repeat(500) + "\"}}").outcome().reason())
                .as("a long message is cut").hasSizeLessThan(260);
    }

    @Test
    void reachable_means_models_answers_2xx() {
        status = 200;
        assertThat(client.reachable(Duration.ofSeconds(2))).isTrue();
        status = 503;
        assertThat(client.reachable(Duration.ofSeconds(2))).isFalse();
        server.stop(0);
        assertThat(client.reachable(Duration.ofSeconds(2))).isFalse();
    }

    @Test
    void an_aborted_call_is_cancelled_before_it_starts() {
        ModelClient.Call call = new ModelClient.Call();
        call.abort();
        assertThat(client.stream(List.of(ChatTurn.user("q")), piece -> { }, call)).isEqualTo(Outcome.CANCELLED);
    }
}
