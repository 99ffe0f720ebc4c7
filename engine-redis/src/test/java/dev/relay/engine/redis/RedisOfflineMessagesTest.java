package dev.relay.engine.redis;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.OfflineMessages;
import dev.relay.core.store.OfflineMessagesContract;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Offline messages in the real Redis against the contract; every holder is a node with its own connection. */
class RedisOfflineMessagesTest extends OfflineMessagesContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<RedisUserState> connections = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        connections.forEach(RedisUserState::close);
        RedisTestKeys.delete(prefix);
    }

    private RedisUserState connection(int maxPending) {
        RedisUserState state = new RedisUserState(RedisTestKeys.url(), prefix, maxPending, Duration.ofSeconds(2));
        connections.add(state);
        return state.start();
    }

    @Override
    protected OfflineMessages holder(int maxPerUser, Duration ttl, Clock clock) {
        return new RedisOfflineMessages(connection(1000), new TextCodec(), maxPerUser, ttl, clock);
    }

    @Test
    void held_messages_expire_in_redis_with_the_ttl_of_the_newest() throws Exception {
        OfflineMessages holder = new RedisOfflineMessages(connection(1000), new TextCodec(), 10,
                Duration.ofMinutes(5), Clock.systemUTC());
        holder.hold(new ServerMessage("m1", "private_message", "alice", "bob", null, "hi", null,
                java.time.Instant.now())).get(5, TimeUnit.SECONDS);
        long ttl = RedisTestKeys.inspect(redis -> redis.pttl(prefix + "offline:{bob}"));
        assertThat(ttl).isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
    }

    @Test
    void past_the_bound_on_commands_in_flight_a_hold_is_refused_as_overloaded() {
        RedisUserState tight = connection(1);
        OfflineMessages holder = new RedisOfflineMessages(tight, new TextCodec(), 10, Duration.ofMinutes(5),
                Clock.systemUTC());
        List<Throwable> refusals = new ArrayList<>();
        var futures = new ArrayList<java.util.concurrent.CompletableFuture<Void>>();
        for (int i = 0; i < 50; i++) {
            futures.add(holder.hold(new ServerMessage("m" + i, "private_message", "alice", "carol", null, "x", null,
                    java.time.Instant.now())));
        }
        for (var future : futures) {
            try {
                future.join();
            } catch (CompletionException e) {
                refusals.add(e.getCause());
            }
        }
        assertThat(refusals).isNotEmpty().allSatisfy(refusal ->
                assertThat(((ProtocolException) refusal).code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(refusals.size()).isLessThan(50);
    }

    @Test
    void a_holder_with_no_connection_to_redis_fails_the_hold_as_broker_unavailable() {
        RedisUserState unreachable = new RedisUserState("redis://127.0.0.1:1", prefix, 10, Duration.ofSeconds(1));
        connections.add(unreachable);
        OfflineMessages holder = new RedisOfflineMessages(unreachable, new TextCodec(), 10, Duration.ofMinutes(5),
                Clock.systemUTC());
        assertThatThrownBy(() -> holder.hold(new ServerMessage("m", "private_message", "a", "b", null, "x", null,
                java.time.Instant.now())).join())
                .hasCauseInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e.getCause()).code())
                        .isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
    }
}
