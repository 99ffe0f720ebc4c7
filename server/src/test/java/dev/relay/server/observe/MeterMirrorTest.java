package dev.relay.server.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Relay's meters seen live in a host's registry, the ones added later too, and only Relay's. */
class MeterMirrorTest {
    private final PrometheusMeterRegistry relay = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry host = new SimpleMeterRegistry();

    private static double first(Meter meter) {
        return meter.measure().iterator().next().getValue();
    }

    @Test
    void relaysMetersAreReadLiveWithTheirTags() {
        Counter opened = Counter.builder("relay.connections.opened").tag("kind", "ws").register(relay);
        new MeterMirror(relay).bindTo(host);
        opened.increment(3);

        Meter mirrored = host.find("relay.connections.opened").tag("kind", "ws").meter();
        assertThat(mirrored).isNotNull();
        assertThat(mirrored.getId().getType()).isEqualTo(Meter.Type.COUNTER);
        assertThat(first(mirrored)).isEqualTo(3.0);
        opened.increment();
        assertThat(first(mirrored)).isEqualTo(4.0);
    }

    @Test
    void metersAddedAfterwardFollowAndRemovedOnesLeave() {
        new MeterMirror(relay).bindTo(host);
        Timer latency = Timer.builder("relay.delivery.latency").register(relay);
        latency.record(Duration.ofMillis(5));

        Meter mirrored = host.find("relay.delivery.latency").meter();
        assertThat(mirrored).isNotNull();
        assertThat(first(mirrored)).as("count").isEqualTo(1.0);

        relay.remove(latency);
        assertThat(host.find("relay.delivery.latency").meter()).isNull();
    }

    @Test
    void otherMetersStayBehind() {
        Counter.builder("jvm.something").register(relay);
        Counter.builder("relayed.elsewhere").register(relay);
        new MeterMirror(relay).bindTo(host);
        assertThat(host.getMeters()).isEmpty();
    }
}
