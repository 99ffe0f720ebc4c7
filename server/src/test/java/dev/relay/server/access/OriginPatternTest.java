package dev.relay.server.access;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OriginPatternTest {
    private static boolean allows(String pattern, String origin) {
        return new OriginPolicy(true, List.of(pattern)).allows(origin, "relay.example.org");
    }

    @Test
    void aSchemePatternAllowsSubdomainsOnTheDefaultPortOnly() {
        assertThat(allows("https://*.example.com", "https://app.example.com")).isTrue();
        assertThat(allows("https://*.example.com", "https://a.b.example.com")).isTrue();
        assertThat(allows("https://*.example.com", "https://APP.Example.COM:443")).isTrue();
        assertThat(allows("https://*.example.com", "https://example.com")).as("not the domain itself").isFalse();
        assertThat(allows("https://*.example.com", "https://evil-example.com")).isFalse();
        assertThat(allows("https://*.example.com", "https://example.com.evil.net")).isFalse();
        assertThat(allows("https://*.example.com", "http://app.example.com")).as("scheme").isFalse();
        assertThat(allows("https://*.example.com", "https://app.example.com:8443")).as("port").isFalse();
    }

    @Test
    void aBarePatternAllowsHttpAndHttpsOnAnyPort() {
        assertThat(allows("*.example.com", "http://app.example.com:3000")).isTrue();
        assertThat(allows("*.example.com", "https://app.example.com")).isTrue();
        assertThat(allows("*.example.com", "ftp://app.example.com")).isFalse();
        assertThat(allows("*.example.com:8443", "https://app.example.com:8443")).isTrue();
        assertThat(allows("*.example.com:8443", "https://app.example.com")).isFalse();
    }

    @Test
    void patternsAndExactOriginsMix() {
        OriginPolicy policy = new OriginPolicy(true, List.of("https://*.example.com", "http://localhost:3000"));
        assertThat(policy.allows("http://localhost:3000", "x")).isTrue();
        assertThat(policy.allows("https://chat.example.com", "x")).isTrue();
        assertThat(policy.allows("https://chat.example.net", "x")).isFalse();
    }

    @Test
    void badPatternsAreRefused() {
        for (String bad : List.of("*.com", "https://*.", "https://a.*.example.com", "*.example.com/path", "ws://*.x.com")) {
            assertThatThrownBy(() -> OriginPolicy.checkPattern(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
