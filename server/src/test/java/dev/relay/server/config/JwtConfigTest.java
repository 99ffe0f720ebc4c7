package dev.relay.server.config;

import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.relay.server.auth.PemKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtConfigTest {
    @Test
    void defaultsAreHmacWithThirtySecondsOfSkew() {
        JwtConfig jwt = RelayConfig.defaults().security().jwt();
        assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(jwt.asymmetric()).isFalse();
        assertThat(jwt.issuer()).isEmpty();
    }

    @Test
    void aPublicKeyAndAJwksUrlTogetherAreRefused() throws Exception {
        String pem = PemKeys.toPem(new RSAKeyGenerator(2048).generate().toPublicKey());
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("jwt_public_key", pem,
                "jwt_jwks_url", "https://auth.example.com/jwks.json")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set only one");
    }

    @Test
    void anUnreadablePublicKeyIsRefusedWithoutEchoingInlinePem() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("jwt_public_key",
                "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("websocket.jwt_public_key = <inline PEM>");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("jwt_public_key", "/nonexistent/key.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("jwt_jwks_url", "ftp://x/jwks")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http");
    }
}
