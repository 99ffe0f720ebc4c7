package dev.relay.server.auth;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokenTest {

    @Test
    void readsTheBearerTokenFromTheAuthorizationHeader() {
        assertThat(token("/ws/connect", "Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer abc", "BEARER abc", "bEaReR abc"})
    void schemeIsCaseInsensitive(String header) {
        assertThat(token("/ws/connect", header)).isEqualTo("abc");
    }

    @Test
    void whitespaceAroundTheTokenIsDropped() {
        assertThat(token("/ws/connect", "Bearer   abc  ")).isEqualTo("abc");
    }

    @Test
    void readsTheTokenQueryParameter() {
        assertThat(token("/ws/connect?room_id=lobby&token=abc.def.ghi", null)).isEqualTo("abc.def.ghi");
    }

    @Test
    void queryParameterIsUrlDecoded() {
        assertThat(token("/ws/connect?token=a%2Bb%3D", null)).isEqualTo("a+b=");
    }

    @Test
    void firstTokenParameterWins() {
        assertThat(token("/ws/connect?token=first&token=second", null)).isEqualTo("first");
    }

    @Test
    void headerWinsOverQuery() {
        assertThat(token("/ws/connect?token=from-query", "Bearer from-header")).isEqualTo("from-header");
    }

    @Test
    void otherSchemesAreNotTokensAndTheQueryStillCounts() {
        assertThat(token("/ws/connect", "Basic dXNlcjpwYXNz")).isNull();
        assertThat(token("/ws/connect?token=from-query", "Basic dXNlcjpwYXNz")).isEqualTo("from-query");
    }

    @Test
    void schemeWithoutTheSpaceIsNotABearerToken() {
        assertThat(token("/ws/connect", "Bearer")).isNull();
        assertThat(token("/ws/connect", "Bearerabc")).isNull();
    }

    @Test
    void anEmptyBearerHeaderDoesNotHideTheQueryToken() {
        assertThat(token("/ws/connect?token=from-query", "Bearer   ")).isEqualTo("from-query");
        assertThat(token("/ws/connect", "Bearer  ")).isNull();
    }

    @Test
    void otherQueryParametersAreNotTokens() {
        assertThat(token("/ws/connect?access_token=abc&tok=def", null)).isNull();
    }

    @Test
    void noTokenAnywhereIsNull() {
        assertThat(token("/ws/connect", null)).isNull();
        assertThat(token("/ws/connect?room_id=lobby", null)).isNull();
    }

    private static String token(String uri, String authorization) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return BearerToken.from(request, new QueryStringDecoder(uri));
    }
}
