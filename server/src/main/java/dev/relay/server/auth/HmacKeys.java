package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code jwt_secret}, and {@code jwt_previous_secrets} during a rotation: HS256/384/512 only. A token is accepted
 * when any of the secrets verifies it; tokens carry no key id for HMAC, so each is tried, the current one first.
 */
final class HmacKeys implements KeyResolver {
    private final JWSVerifier verifier;

    HmacKeys(String secret) {
        this(secret, List.of());
    }

    HmacKeys(String secret, List<String> previous) {
        List<MACVerifier> verifiers = new ArrayList<>();
        verifiers.add(mac(secret, "jwt_secret"));
        for (String old : previous) {
            verifiers.add(mac(old, "jwt_previous_secrets"));
        }
        this.verifier = verifiers.size() == 1 ? verifiers.get(0) : new AnyOf(List.copyOf(verifiers));
    }

    private static MACVerifier mac(String secret, String key) {
        try {
            return new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException(key + " is not usable as an HMAC key: " + e.getMessage(), e);
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

    /** Verifies with the first secret that matches. */
    private record AnyOf(List<MACVerifier> verifiers) implements JWSVerifier {
        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            for (MACVerifier each : verifiers) {
                if (each.verify(header, signingInput, signature)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return verifiers.get(0).supportedJWSAlgorithms();
        }

        @Override
        public JCAContext getJCAContext() {
            return verifiers.get(0).getJCAContext();
        }
    }
}
