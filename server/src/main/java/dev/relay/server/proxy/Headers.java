package dev.relay.server.proxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The allow list of a proxy: only the headers an operator named leave Relay, keyed in lower case. */
final class Headers {
    private Headers() {
    }

    static Map<String, String> allowed(Iterable<Map.Entry<String, String>> headers, List<String> allowList) {
        Map<String, String> kept = new LinkedHashMap<>();
        if (allowList.isEmpty()) {
            return kept;
        }
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (allowList.contains(name)) {
                // A repeated header is joined as HTTP allows (RFC 9110, 5.3), so the backend sees all of it.
                kept.merge(name, header.getValue(), (first, next) -> first + ", " + next);
            }
        }
        return kept;
    }
}
