package dev.relay.engine.redis;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The URL picks the topology; a cluster URL's hosts become one seed each, with its credentials and TLS. */
class RedisLinkTest {
    @Test
    void the_scheme_picks_the_topology() {
        assertThat(RedisLink.of("redis://127.0.0.1:6379/2", 10, Duration.ofSeconds(1)))
                .isInstanceOf(StandaloneLink.class).satisfies(RedisLink::close);
        assertThat(RedisLink.of("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#relay", 10, Duration.ofSeconds(1)))
                .isInstanceOf(StandaloneLink.class).satisfies(RedisLink::close);
        RedisLink cluster = RedisLink.of("REDIS-CLUSTER://127.0.0.1:7000", 10, Duration.ofSeconds(1));
        assertThat(cluster).isInstanceOf(RedisClusterLink.class);
        assertThat(cluster.supportsWait()).isFalse();
        cluster.close();
    }

    @Test
    void every_cluster_host_is_a_seed_with_the_urls_credentials_and_tls() {
        List<RedisURI> seeds = RedisLink.seeds("rediss-cluster://relay:s3cret@h1:7000,h2:7001?timeout=3s");
        assertThat(seeds).extracting(RedisURI::getHost).containsExactly("h1", "h2");
        assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7000, 7001);
        assertThat(seeds).allSatisfy(seed -> {
            assertThat(seed.isSsl()).isTrue();
            var credentials = seed.getCredentialsProvider().resolveCredentials().block();
            assertThat(credentials.getUsername()).isEqualTo("relay");
            assertThat(new String(credentials.getPassword())).isEqualTo("s3cret");
            assertThat(seed.getTimeout()).isEqualTo(Duration.ofSeconds(3));
        });
        assertThat(RedisLink.seeds("redis-cluster://h1:7000")).singleElement()
                .satisfies(seed -> assertThat(seed.isSsl()).isFalse());
        assertThatThrownBy(() -> RedisLink.seeds("redis-cluster:///")).isInstanceOf(IllegalArgumentException.class);
    }
}
