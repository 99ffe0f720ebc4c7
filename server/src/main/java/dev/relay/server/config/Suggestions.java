package dev.relay.server.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the key a user probably meant, for "did you mean ...?" hints. */
final class Suggestions {
    private Suggestions() {
    }

    /** The closest candidate, if it is close enough to be a typo rather than a different word. */
    static Optional<String> closest(String input, Collection<String> candidates) {
        String typed = normalize(input);
        // A quarter of the length, but at least 2: "prot" -> "port" and "max_conections" -> "max_connections".
        int allowed = Math.max(2, typed.length() / 4);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(typed, normalize(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    private static String normalize(String text) {
        return text.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
