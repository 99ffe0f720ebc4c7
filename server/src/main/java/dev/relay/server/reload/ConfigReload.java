package dev.relay.server.reload;

import dev.relay.server.config.ConfigException;
import dev.relay.server.config.LoadedConfig;
import dev.relay.server.config.RelayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Reads the configuration again and applies what can change while the server runs. Each {@link Part} names the keys
 * it covers and how to apply a new configuration; a changed key no part covers is reported as needing a restart. A
 * configuration that does not load changes nothing and says why (the {@link ConfigException}).
 */
public final class ConfigReload {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    /** What a reload did: the keys applied, and the changed keys that take effect only after a restart. */
    public record Outcome(List<String> applied, List<String> restartRequired) {
    }

    /**
     * Something a reload can change.
     *
     * @param keys    the configuration keys it covers; the first is reported when only {@code changed} says so
     * @param changed whether it must be applied although its keys' values are the same (a words file whose content
     *                changed, a geo database replaced under the same name)
     * @param apply   makes the running server use the new configuration
     */
    public record Part(List<String> keys, BiPredicate<RelayConfig, RelayConfig> changed, Consumer<RelayConfig> apply) {
        public Part {
            keys = List.copyOf(keys);
        }

        public static Part of(List<String> keys, Consumer<RelayConfig> apply) {
            return new Part(keys, (before, after) -> false, apply);
        }
    }

    private final List<Part> parts = new ArrayList<>();
    /** What the server started with: a key no part covers keeps this value until a restart. */
    private LoadedConfig started;
    private LoadedConfig current;
    private volatile Supplier<LoadedConfig> source;

    /** Adds what a reload can change; while the server is built. */
    public synchronized void add(Part part) {
        parts.add(part);
    }

    /**
     * Where a reload reads the configuration from (the file, environment and command line the server started with),
     * and what it started with, to compare against.
     */
    public synchronized void readFrom(LoadedConfig started, Supplier<LoadedConfig> source) {
        this.started = started;
        this.current = started;
        this.source = source;
    }

    public boolean available() {
        return source != null;
    }

    /**
     * @throws ConfigException when the configuration does not load (nothing is changed)
     * @throws IllegalStateException when no source was given ({@link #readFrom}): an embedding application
     *                               reloads by building a configuration itself and calling {@link #apply}
     */
    public Outcome reload() {
        Supplier<LoadedConfig> from = Optional.ofNullable(source).orElseThrow(() -> new IllegalStateException(
                "this server was not started from a configuration file, so there is nothing to read again"));
        LoadedConfig next;
        try {
            next = from.get();
        } catch (ConfigException e) {
            LOG.warn("event=config_reload_refused detail=\"{}\"", e.getMessage());
            throw e;
        }
        return apply(next);
    }

    /** Applies {@code next} as a reload would have read it (after {@link #readFrom}). */
    public synchronized Outcome apply(LoadedConfig next) {
        if (started == null) {
            throw new IllegalStateException("readFrom first: a reload compares with what the server started with");
        }
        Set<String> changed = next.changedFrom(current);
        Set<String> applied = new TreeSet<>();
        Set<String> covered = new TreeSet<>();
        for (Part part : parts) {
            covered.addAll(part.keys());
            List<String> mine = part.keys().stream().filter(changed::contains).toList();
            if (!mine.isEmpty() || part.changed().test(current.config(), next.config())) {
                part.apply().accept(next.config());
                applied.addAll(mine.isEmpty() ? List.of(part.keys().get(0)) : mine);
            }
        }
        // Against what the server started with: such a change is reported by every reload until a restart.
        List<String> restart = new ArrayList<>();
        for (String key : next.changedFrom(started)) {
            if (!covered.contains(key)) {
                restart.add(key);
            }
        }
        current = next;
        Outcome outcome = new Outcome(List.copyOf(applied), List.copyOf(restart));
        LOG.info("event=config_reloaded applied={} restart_required={}", outcome.applied(), outcome.restartRequired());
        return outcome;
    }
}
