package dev.relay.server.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ContentSecurityTest {

    @Test
    void aPageMayRunItsOwnInlineScriptsByHashAndNothingElseInline() {
        String page = "<html><script type=\"module\">alert(1)</script><script src=\"/ws/client.js\"></script></html>";

        String policy = ContentSecurity.forPage(page.getBytes(StandardCharsets.UTF_8));

        assertThat(policy).contains("script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=';")
                .contains("frame-ancestors 'none'").contains("default-src 'none'").doesNotContain("unsafe-eval");
        assertThat(policy.split("sha256-")).as("the script with src is not hashed").hasSize(2);
    }
}
