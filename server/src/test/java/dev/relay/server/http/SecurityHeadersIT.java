package dev.relay.server.http;

import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Pages, scripts and API answers, errors included, tell browsers not to sniff, frame or run anything foreign. */
class SecurityHeadersIT {

    @Test
    void everyAnswerForbidsSniffingFramingAndForeignContent() {
        try (TestServer server = TestServer.start()) {
            Http http = server.http();
            for (Http.Response response : List.of(http.get("/ws/rooms", server.token("alice")),
                    http.get("/ws/rooms", null), http.get("/ws/nowhere", null), http.get("/ws/client.js", null),
                    http.get("/ws/openapi.json", null), http.get("/metrics", null), http.get("/health/live", null))) {
                HttpHeaders headers = response.raw().headers();
                String what = response.raw().uri().getPath() + " " + response.status();
                assertThat(headers.firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
                assertThat(headers.firstValue("X-Frame-Options")).as(what).hasValue("DENY");
                assertThat(headers.firstValue("Content-Security-Policy")).as(what)
                        .hasValue("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
            }
        }
    }

    @Test
    void theWebPageMayRunExactlyItsOwnScripts() throws Exception {
        try (TestServer server = TestServer.start()) {
            Http.Response page = server.http().get("/", null);
            String policy = page.raw().headers().firstValue("Content-Security-Policy").orElseThrow();

            assertThat(page.raw().headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(policy).contains("frame-ancestors 'none'", "connect-src 'self'", "default-src 'none'")
                    .doesNotContain("'unsafe-eval'");
            Matcher inline = Pattern.compile("<script type=\"module\">(.*?)</script>", Pattern.DOTALL)
                    .matcher(page.raw().body());
            assertThat(inline.find()).isTrue();
            String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(inline.group(1).getBytes(StandardCharsets.UTF_8)));
            assertThat(policy).contains("script-src 'self' 'sha256-" + hash + "'");
        }
    }
}
