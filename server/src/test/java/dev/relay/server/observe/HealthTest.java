package dev.relay.server.observe;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness through a server's life, and the reasons it gives when withheld. */
class HealthTest {
    private final AtomicBoolean full = new AtomicBoolean();
    private final Health health = new Health(full::get);

    @Test
    void notReadyWhileStartingReadyWhileServingNotReadyWhenStopping() {
        assertThat(health.readiness()).isEqualTo(new Health.Readiness(false, java.util.List.of(Health.STARTING)));

        health.serving();
        assertThat(health.readiness()).isEqualTo(new Health.Readiness(true, java.util.List.of()));

        health.stopping();
        health.serving(); // a late call cannot revive a stopping server
        assertThat(health.readiness().reasons()).containsExactly(Health.SHUTTING_DOWN);
    }

    @Test
    void notReadyAtTheConnectionLimitOrWhenADependencyFails() {
        health.serving();
        AtomicBoolean redisDown = new AtomicBoolean();
        health.addCheck(() -> redisDown.get() ? Optional.of("redis_unreachable") : Optional.empty());

        full.set(true);
        redisDown.set(true);
        assertThat(health.readiness().reasons()).containsExactly(Health.CONNECTION_LIMIT, "redis_unreachable");

        full.set(false);
        redisDown.set(false);
        assertThat(health.readiness().ready()).isTrue();
    }
}
