package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;

import java.nio.charset.StandardCharsets;

/** {@code jwt_secret}: HS256/384/512 only. */
final class HmacKeys implements KeyResolver {
    private final MACVerifier verifier;

    HmacKeys(String secret) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt_secret is not usable as an HMAC key: " + e.getMessage(), e);
        }
    }

    @Override
    public JWSVerifier verifierFor(JWSHeader header) {
        if (!JWSAlgorithm.Family.HMAC_SHA.contains(header.getAlgorithm())) {
            throw JwtVerifier.refused("token algorithm " + header.getAlgorithm() + " is not accepted; use " + accepted());
        }
        return verifier;
    }

    @Override
    public String accepted() {
        return "HS256, HS384 or HS512";
    }
}
