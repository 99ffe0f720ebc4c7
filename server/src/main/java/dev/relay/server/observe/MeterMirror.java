package dev.relay.server.observe;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Relay's own meters ({@code relay.*}) shown in another registry too, such as a host application's: each becomes a
 * meter there of the same name, tags and type whose measurements read Relay's meter live, so nothing is counted
 * twice and Relay's {@code /metrics} stays as it is. Meters Relay adds later (per room type, per event loop) follow,
 * and meters it removes leave. The JVM's meters stay behind: the host measures its own JVM already.
 */
final class MeterMirror implements MeterBinder {
    private static final String PREFIX = "relay.";

    private final MeterRegistry source;

    MeterMirror(MeterRegistry source) {
        this.source = source;
    }

    @Override
    public void bindTo(MeterRegistry target) {
        // Listeners first, then the meters already there: one added in between is mirrored twice, which registers
        // the same id again and so changes nothing.
        source.config().onMeterAdded(meter -> mirror(meter, target));
        source.config().onMeterRemoved(meter -> {
            if (isRelays(meter)) {
                target.remove(meter.getId());
            }
        });
        source.forEachMeter(meter -> mirror(meter, target));
    }

    private static void mirror(Meter meter, MeterRegistry target) {
        if (!isRelays(meter)) {
            return;
        }
        Meter.Id id = meter.getId();
        Meter.builder(id.getName(), id.getType(), meter.measure())
                .tags(id.getTagsAsIterable())
                .description(id.getDescription())
                .baseUnit(id.getBaseUnit())
                .register(target);
    }

    private static boolean isRelays(Meter meter) {
        return meter.getId().getName().startsWith(PREFIX);
    }
}
