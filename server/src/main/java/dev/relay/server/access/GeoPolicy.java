package dev.relay.server.access;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CountryResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Geographic restriction: the client address's country, from a MaxMind-format country database (GeoLite2 or
 * GeoIP2 Country), against {@code geo_denied_countries} (always refused) and {@code geo_allowed_countries} (when
 * not empty, only these; an address the database does not place is then refused too). The database is read once
 * at startup and looked up in memory, so a lookup is a few microseconds and fine on an event loop.
 */
public final class GeoPolicy implements AutoCloseable {
    /** The database and the country lists, replaced whole by a configuration reload ({@link #adopt}). */
    private record Rules(DatabaseReader reader, Set<String> allowed, Set<String> denied) {
    }

    private volatile Rules rules;

    private GeoPolicy(DatabaseReader reader, Set<String> allowed, Set<String> denied) {
        this.rules = new Rules(reader, allowed, denied);
    }

    /** A policy that allows every address (a new one each time: a reload may give it rules). */
    public static GeoPolicy off() {
        return new GeoPolicy(null, Set.of(), Set.of());
    }

    /**
     * From now on, the database and lists of {@code other}. The database this policy had is not closed here: a
     * lookup may still be reading it, and a memory-mapped file is released when nothing refers to it.
     */
    public void adopt(GeoPolicy other) {
        this.rules = other.rules;
    }

    /**
     * @param allowedCountries ISO 3166-1 alpha-2 codes; empty means every country not denied
     * @param deniedCountries  ISO codes always refused
     * @throws UncheckedIOException when the database cannot be read
     */
    public static GeoPolicy open(Path database, Set<String> allowedCountries, Set<String> deniedCountries) {
        try {
            DatabaseReader reader = new DatabaseReader.Builder(database.toFile()).build();
            return new GeoPolicy(reader, upper(allowedCountries), upper(deniedCountries));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the geo database " + database + ": " + e.getMessage(), e);
        }
    }

    private static Set<String> upper(Set<String> codes) {
        return codes.stream().map(code -> code.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    public boolean allows(InetAddress address) {
        Rules current = rules;
        if (current.reader() == null) {
            return true;
        }
        Optional<String> country = country(current.reader(), address);
        if (country.isPresent() && current.denied().contains(country.get())) {
            return false;
        }
        return current.allowed().isEmpty() || country.map(current.allowed()::contains).orElse(false);
    }

    /** The address's ISO country code, when the database places it. */
    public Optional<String> country(InetAddress address) {
        return country(rules.reader(), address);
    }

    private static Optional<String> country(DatabaseReader reader, InetAddress address) {
        if (reader == null) {
            return Optional.empty();
        }
        try {
            return reader.tryCountry(address).map(CountryResponse::getCountry).map(c -> c.getIsoCode());
        } catch (IOException | GeoIp2Exception e) {
            return Optional.empty(); // a corrupt record: treat as unplaced rather than fail the request
        }
    }

    @Override
    public void close() {
        DatabaseReader reader = rules.reader();
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // closing a memory-mapped reader cannot lose data
            }
        }
    }
}
