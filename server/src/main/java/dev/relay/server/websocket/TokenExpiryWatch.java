package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.session.Session;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection when its token does: sends {@code token_expiring} {@link #WARNING} before {@code exp} (or half
 * the token's remaining life, when that is shorter), and closes with 4401 once {@code exp} plus the clock skew has
 * passed without a {@code refresh}. One timer per connection, on its event loop; each firing re-reads the session's
 * expiry, so a refresh (which moves it) needs no callback: the next firing simply plans for the new time.
 */
final class TokenExpiryWatch {
    static final Duration WARNING = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(TokenExpiryWatch.class);

    private final Hub hub;
    private final Session session;
    private final EventExecutor executor;
    private final Duration grace;
    private final Clock clock;
    private Instant known;
    private Instant knownSince;
    private boolean warned;
    private ScheduledFuture<?> timer;

    /** @param grace how long after {@code exp} the connection may live: the clock skew the handshake allows */
    TokenExpiryWatch(Hub hub, Session session, EventExecutor executor, Duration grace) {
        this.hub = hub;
        this.session = session;
        this.executor = executor;
        this.grace = grace;
        this.clock = hub.clock();
    }

    /** Call on the session's event loop once the session has its expiry. */
    void start() {
        plan();
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void plan() {
        timer = null;
        if (!session.isOpen() || session.tokenExpiresAt().equals(Instant.MAX)) {
            return;
        }
        Instant now = clock.instant();
        Instant expires = session.tokenExpiresAt();
        if (!expires.equals(known)) { // first run, or a refresh moved it
            known = expires;
            knownSince = now;
            warned = false;
        }
        if (!warned) {
            Duration life = Duration.between(knownSince, expires);
            Duration lead = life.dividedBy(2).compareTo(WARNING) < 0 ? life.dividedBy(2) : WARNING;
            Instant warnAt = expires.minus(lead.isNegative() ? Duration.ZERO : lead);
            if (now.isBefore(warnAt)) {
                schedule(now, warnAt);
                return;
            }
            warned = true;
            hub.warnTokenExpiring(session);
        }
        Instant deadline = expires.plus(grace);
        if (now.isBefore(deadline)) {
            schedule(now, deadline);
            return;
        }
        LOG.info("event=token_expired client_id={} user={}", session.id(), session.userId());
        session.connection().close(CloseReason.TOKEN_EXPIRED);
    }

    private void schedule(Instant now, Instant at) {
        // +1 ms so the timer never fires a hair early and re-plans the same instant in a loop.
        long delay = Duration.between(now, at).toMillis() + 1;
        timer = executor.schedule(this::plan, delay, TimeUnit.MILLISECONDS);
    }
}
