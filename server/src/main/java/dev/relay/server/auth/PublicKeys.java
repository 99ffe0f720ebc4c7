package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/** {@code jwt_public_key}: RS/PS tokens for an RSA key, ES tokens for an EC key, nothing else. */
final class PublicKeys implements KeyResolver {
    private final PublicKey key;
    private final JWSVerifier verifier;

    PublicKeys(PublicKey key) {
        this.key = key;
        this.verifier = verifierFor(key);
    }

    @Override
    public JWSVerifier verifierFor(JWSHeader header) {
        if (!fits(key, header.getAlgorithm())) {
            throw JwtVerifier.refused("token algorithm " + header.getAlgorithm() + " is not accepted; this server"
                    + " verifies " + accepted() + " tokens with its public key");
        }
        return verifier;
    }

    @Override
    public String accepted() {
        return familyName(key);
    }

    /** Whether a token signed with {@code algorithm} may be checked against {@code key}. */
    static boolean fits(PublicKey key, JWSAlgorithm algorithm) {
        if (key instanceof RSAPublicKey) {
            return JWSAlgorithm.Family.RSA.contains(algorithm);
        }
        return key instanceof ECPublicKey && JWSAlgorithm.Family.EC.contains(algorithm);
    }

    static String familyName(PublicKey key) {
        return key instanceof RSAPublicKey ? "RS256/384/512 or PS256/384/512" : "ES256/384/512";
    }

    static JWSVerifier verifierFor(PublicKey key) {
        try {
            if (key instanceof RSAPublicKey rsa) {
                return new RSASSAVerifier(rsa);
            }
            if (key instanceof ECPublicKey ec) {
                return new ECDSAVerifier(ec);
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the public key is not usable: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("the public key must be RSA or EC, not " + key.getAlgorithm());
    }
}
