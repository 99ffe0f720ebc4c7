package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@code jwt_jwks_url}: the identity provider's published keys, chosen by the token's {@code kid}. The set is
 * fetched on a thread of its own (never an event loop: HTTP may take seconds) at start and every refresh interval,
 * and kept in a volatile map that verification only reads. A token naming an unknown {@code kid} is refused and
 * triggers an early refresh, so a rotated key is picked up within seconds; early refreshes are spaced at least
 * {@link #MIN_EARLY_REFRESH} apart so random kids cannot make the server hammer the provider.
 */
public final class JwksKeys implements KeyResolver, AutoCloseable {
    static final Duration MIN_EARLY_REFRESH = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private record Entry(PublicKey key, JWSVerifier verifier) {
    }

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-jwks");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong lastEarlyRefresh = new AtomicLong(System.nanoTime() - MIN_EARLY_REFRESH.toNanos());
    private volatile Map<String, Entry> keys = Map.of();

    /** Fetches once now (a failure is logged, not fatal: the provider may come up later), then periodically. */
    public JwksKeys(URI url, Duration refreshInterval) {
        this.url = url;
        refresh();
        long every = refreshInterval.toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public JWSVerifier verifierFor(JWSHeader header) {
        Map<String, Entry> current = keys;
        String kid = header.getKeyID();
        Entry entry;
        if (kid == null) {
            // Without a kid the choice is only unambiguous when the set holds one key.
            if (current.size() != 1) {
                throw JwtVerifier.refused("the token has no 'kid' header; it is required to pick one of "
                        + current.size() + " published keys");
            }
            entry = current.values().iterator().next();
        } else {
            entry = current.get(kid);
            if (entry == null) {
                refreshSoon();
                throw JwtVerifier.refused("the token's key id '" + kid + "' is not among the published keys;"
                        + " if the key was just rotated, retry in a few seconds");
            }
        }
        if (!PublicKeys.fits(entry.key(), header.getAlgorithm())) {
            throw JwtVerifier.refused("token algorithm " + header.getAlgorithm() + " does not match the key '" + kid
                    + "', which verifies " + PublicKeys.familyName(entry.key()));
        }
        return entry.verifier();
    }

    @Override
    public String accepted() {
        return "RS256/384/512, PS256/384/512 or ES256/384/512 with a published key";
    }

    private void refreshSoon() {
        long now = System.nanoTime();
        long last = lastEarlyRefresh.get();
        if (now - last >= MIN_EARLY_REFRESH.toNanos() && lastEarlyRefresh.compareAndSet(last, now)) {
            refresher.execute(this::refresh);
        }
    }

    private void refresh() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warn("event=jwks_refresh_failed url={} status={}", url, response.statusCode());
                return;
            }
            keys = entries(JWKSet.parse(response.body()).getKeys());
            LOG.info("event=jwks_refreshed url={} keys={}", url, keys.keySet());
        } catch (IOException | ParseException | RuntimeException e) {
            // Keep the keys we have: a provider hiccup must not lock every user out.
            LOG.warn("event=jwks_refresh_failed url={} cause=\"{}\"", url, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Entry> entries(List<JWK> jwks) {
        return jwks.stream()
                .filter(jwk -> jwk instanceof AsymmetricJWK && jwk.getKeyID() != null)
                .collect(Collectors.toUnmodifiableMap(JWK::getKeyID, JwksKeys::entry, (first, second) -> first));
    }

    private static Entry entry(JWK jwk) {
        try {
            PublicKey key = ((AsymmetricJWK) jwk).toPublicKey();
            return new Entry(key, PublicKeys.verifierFor(key));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("JWK '" + jwk.getKeyID() + "' is not a usable public key", e);
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
