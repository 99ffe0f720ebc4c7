package dev.relay.server.auth;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import dev.relay.core.protocol.ProtocolException;

/**
 * Picks the key that verifies a token, from its header. Each implementation accepts only its own family of
 * algorithms, which is what stops algorithm confusion: an HMAC token is never checked against a public key (whose
 * bytes an attacker knows), and a server holding only a secret never accepts an RSA or EC token.
 */
interface KeyResolver {
    /** @throws ProtocolException {@code unauthorized} when the algorithm or key id is not acceptable */
    JWSVerifier verifierFor(JWSHeader header);

    /** Which algorithms to tell a client to use, for refusal messages. */
    String accepted();
}
