package dev.relay.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Builds tokens the way other issuers might: any algorithm, key, kid and claims, for the refusal tests. */
public final class Tokens {
    private Tokens() {
    }

    /** Claims for {@code subject} expiring at {@code expires} (null: no exp), adjusted by {@code more}. */
    public static JWTClaimsSet claims(String subject, Instant expires, UnaryOperator<JWTClaimsSet.Builder> more) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(subject).issueTime(new Date());
        if (expires != null) {
            builder.expirationTime(Date.from(expires));
        }
        return more.apply(builder).build();
    }

    public static JWTClaimsSet claims(String subject) {
        return claims(subject, Instant.now().plusSeconds(600), b -> b);
    }

    /** Signs with the JWK (RSA or EC private key) using {@code alg}, putting the JWK's kid in the header. */
    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
            return sign(signer, new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signHmac(byte[] secret, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret), new JWSHeader(alg), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** The HTTP status the upgrade with {@code token} gets: 101 when accepted. */
    public static int upgradeStatus(TestServer server, String token) {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + token, Map.of())) {
            return ws.handshake().status();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The HTTP status an upgrade into {@code roomId} with {@code token} gets. */
    public static int upgradeStatusIn(TestServer server, String roomId, String token) {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?room_id=" + roomId + "&token=" + token,
                Map.of())) {
            return ws.handshake().status();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The refusal message of a failed upgrade. */
    public static String refusal(TestServer server, String token) {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + token, Map.of())) {
            return ws.handshake().json().path("error").path("message").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
