package dev.relay.server.access;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OriginPolicyTest {

    @Nested
    class SameOrigin {
        private final OriginPolicy policy = new OriginPolicy(true, List.of());

        @ParameterizedTest
        @ValueSource(strings = {"ftp://relay.example.com", "chrome-extension://relay.example.com",
                "ws://relay.example.com", "file://relay.example.com", "//relay.example.com"})
        void onlyAWebPageOnTheServersHostPasses(String origin) {
            assertThat(policy.allows(origin, "relay.example.com")).isFalse();
        }

        @Test
        void originOnTheServersHostAndPortIsAllowed() {
            assertThat(policy.allows("http://relay.example.com:8080", "relay.example.com:8080")).isTrue();
            assertThat(policy.allows("https://relay.example.com", "relay.example.com")).isTrue();
        }

        @Test
        void otherHostIsRefused() {
            assertThat(policy.allows("http://evil.example.com:8080", "relay.example.com:8080")).isFalse();
            assertThat(policy.allows("http://relay.example.com.evil.com", "relay.example.com")).isFalse();
        }

        @Test
        void sameHostOnAnotherPortIsRefused() {
            assertThat(policy.allows("http://relay.example.com:8081", "relay.example.com:8080")).isFalse();
            assertThat(policy.allows("http://relay.example.com:8080", "relay.example.com")).isFalse();
            assertThat(policy.allows("http://relay.example.com", "relay.example.com:8080")).isFalse();
        }

        @Test
        void hostComparisonIgnoresCase() {
            assertThat(policy.allows("http://Relay.Example.COM:8080", "relay.example.com:8080")).isTrue();
            assertThat(policy.allows("http://relay.example.com:8080", "RELAY.example.com:8080")).isTrue();
        }

        @Test
        void ipv6HostsCompareWithTheirBrackets() {
            assertThat(policy.allows("http://[::1]:8080", "[::1]:8080")).isTrue();
            assertThat(policy.allows("http://[::1]:8080", "[::2]:8080")).isFalse();
        }

        @Test
        void missingHostIsRefused() {
            assertThat(policy.allows("http://relay.example.com", null)).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"http://relay example.com", "null", "relay.example.com", "http://", "::::", ""})
        void malformedOriginIsRefused(String origin) {
            assertThat(policy.allows(origin, "relay.example.com")).isFalse();
        }

        @Test
        void missingOriginIsAllowedEvenWithoutAHost() {
            assertThat(policy.allows(null, "relay.example.com")).isTrue();
            assertThat(policy.allows(null, null)).isTrue();
        }
    }

    @Nested
    class AllowList {
        private final OriginPolicy policy = new OriginPolicy(true,
                List.of("https://app.example.com", "http://localhost:3000/"));

        @Test
        void anExplicitDefaultPortMatchesTheOriginWithout() {
            assertThat(policy.allows("https://app.example.com:443", null)).isTrue();
            assertThat(policy.allows("https://app.example.com:8443", null)).isFalse();
            assertThat(policy.allows("http://app.example.com:80", null)).as("http is another origin").isFalse();
        }

        @Test
        void listedOriginIsAllowed() {
            assertThat(policy.allows("https://app.example.com", "relay.example.com")).isTrue();
            assertThat(policy.allows("http://localhost:3000", "relay.example.com")).isTrue();
        }

        @Test
        void unlistedOriginIsRefused() {
            assertThat(policy.allows("https://evil.example.com", "relay.example.com")).isFalse();
            assertThat(policy.allows("https://app.example.com.evil.com", "relay.example.com")).isFalse();
        }

        @Test
        void schemeAndPortMustMatchTheListedOrigin() {
            assertThat(policy.allows("http://app.example.com", "relay.example.com")).isFalse();
            assertThat(policy.allows("http://localhost:3001", "relay.example.com")).isFalse();
            assertThat(policy.allows("http://localhost", "relay.example.com")).isFalse();
        }

        @Test
        void comparisonIgnoresCase() {
            assertThat(policy.allows("HTTPS://App.Example.COM", "relay.example.com")).isTrue();
            OriginPolicy upperCaseList = new OriginPolicy(true, List.of("HTTPS://APP.EXAMPLE.COM"));
            assertThat(upperCaseList.allows("https://app.example.com", "relay.example.com")).isTrue();
        }

        @Test
        void trailingSlashIsIgnoredOnEitherSide() {
            // "http://localhost:3000/" is listed with a slash; "https://app.example.com" without one.
            assertThat(policy.allows("http://localhost:3000/", "relay.example.com")).isTrue();
            assertThat(policy.allows("https://app.example.com/", "relay.example.com")).isTrue();
        }

        @Test
        void theServersOwnHostIsNotAllowedUnlessListed() {
            assertThat(policy.allows("https://relay.example.com", "relay.example.com")).isFalse();
        }

        @Test
        void missingHostDoesNotMatterWithAList() {
            assertThat(policy.allows("https://app.example.com", null)).isTrue();
            assertThat(policy.allows("https://evil.example.com", null)).isFalse();
        }

        @Test
        void missingOriginIsAllowed() {
            assertThat(policy.allows(null, "relay.example.com")).isTrue();
        }

        @Test
        void malformedOriginIsRefused() {
            assertThat(policy.allows("not an origin", "relay.example.com")).isFalse();
            assertThat(policy.allows("null", "relay.example.com")).isFalse();
        }
    }

    @Test
    void starAllowsEveryOrigin() {
        OriginPolicy policy = new OriginPolicy(true, List.of("*"));

        assertThat(policy.allows("https://anything.example.org", "relay.example.com")).isTrue();
        assertThat(policy.allows("null", null)).isTrue();
    }

    @Test
    void starAmongOtherOriginsStillAllowsEveryOrigin() {
        OriginPolicy policy = new OriginPolicy(true, List.of("https://app.example.com", "*"));

        assertThat(policy.allows("https://anything.example.org", "relay.example.com")).isTrue();
    }

    @Test
    void disabledCheckAllowsEverything() {
        OriginPolicy sameOrigin = new OriginPolicy(false, List.of());
        OriginPolicy listed = new OriginPolicy(false, List.of("https://app.example.com"));

        assertThat(sameOrigin.allows("https://evil.example.com", "relay.example.com")).isTrue();
        assertThat(sameOrigin.allows("not an origin", null)).isTrue();
        assertThat(listed.allows("https://evil.example.com", "relay.example.com")).isTrue();
    }

    @Test
    void enabledCheckIsWhatRefuses() {
        // The same inputs as disabledCheckAllowsEverything, with the check on.
        assertThat(new OriginPolicy(true, List.of()).allows("https://evil.example.com", "relay.example.com"))
                .isFalse();
        assertThat(new OriginPolicy(true, List.of("https://app.example.com"))
                .allows("https://evil.example.com", "relay.example.com")).isFalse();
    }
}
