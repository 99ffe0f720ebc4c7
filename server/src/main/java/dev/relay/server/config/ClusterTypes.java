package dev.relay.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The kinds of setting the cluster keys add: a broker URL, a key prefix, an optional node name. */
final class ClusterTypes {
    private ClusterTypes() {
    }

    /** Schemes whose URL names several servers, {@code h1:p1,h2:p2}, to ask in turn. */
    private static final Set<String> SEVERAL_HOSTS = Set.of("redis-sentinel", "redis-cluster", "rediss-cluster");

    /** A URL with a host (or, for Sentinel and Cluster, a comma-separated list of them) and one of {@code schemes}. */
    static ValueType<URI> brokerUrl(String... schemes) {
        Set<String> allowed = Set.of(schemes);
        String expected = "expected a URL like " + schemes[0] + "://127.0.0.1:6379 (schemes: "
                + String.join(", ", schemes) + ")";
        return new ValueTypes.Single<>("URL", expected, text -> {
            try {
                URI uri = new URI(text.strip());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!allowed.contains(scheme) || uri.getHost() == null
                        && !(SEVERAL_HOSTS.contains(scheme) && everyHostNamed(uri.getRawAuthority()))) {
                    throw new BadValue(expected);
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new BadValue(expected);
            }
        });
    }

    private static boolean everyHostNamed(String authority) throws URISyntaxException {
        if (authority == null) {
            return false;
        }
        for (String hostPort : authority.substring(authority.lastIndexOf('@') + 1).split(",", -1)) {
            if (new URI("x://" + hostPort.strip()).getHost() == null) {
                return false;
            }
        }
        return true;
    }

    /** Letters, digits and {@code . _ : -}, so it is safe in a key, a channel name and a log line. */
    static ValueType<String> name(boolean mayBeEmpty) {
        String expected = "expected letters, digits and . _ : - only" + (mayBeEmpty ? ", or nothing" : "");
        return new ValueTypes.Single<>("string", expected, text -> {
            if (!text.matches(mayBeEmpty ? "[A-Za-z0-9._:-]*" : "[A-Za-z0-9._:-]+")) {
                throw new BadValue(expected);
            }
            return text;
        });
    }

    /** An optional node name: nothing means one is made up at start. */
    static ValueType<Optional<String>> nodeId() {
        ValueType<String> name = name(false);
        return new ValueTypes.Unsettable<>("string", raw -> {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue("expected a node name, not a list");
            }
            return name.parse(raw);
        });
    }
}
