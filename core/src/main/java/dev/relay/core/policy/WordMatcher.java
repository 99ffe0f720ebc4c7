package dev.relay.core.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Finds any of a set of words anywhere in a text, case-insensitively, in one pass over the text whatever the number
 * of words: an Aho–Corasick automaton over Unicode code points, so CJK and other non-Latin words work like any other.
 *
 * <p>Our own rather than a library (e.g. robert-bor/aho-corasick): the whole thing is ~100 lines, the libraries
 * match on UTF-16 chars (a surrogate pair is two "characters" to mask) and fold case with {@code toLowerCase} on
 * the whole string (which can change its length and shift match positions); and the core takes no dependencies.
 *
 * <p>Case folding is per code point ({@link Character#toLowerCase(int)} of {@link Character#toUpperCase(int)}),
 * which keeps one folded code point per original one, so positions map back exactly. Immutable and thread-safe once
 * built.
 */
public final class WordMatcher {
    private static final WordMatcher EMPTY = new WordMatcher(List.of());

    private final List<Map<Integer, Integer>> next = new ArrayList<>();
    private final List<Integer> fail = new ArrayList<>();
    /** Per state: the length, in code points, of the longest word ending here (through fail links); 0 for none. */
    private final List<Integer> longest = new ArrayList<>();
    private final int words;

    private WordMatcher(Collection<String> wordList) {
        addState();
        int count = 0;
        for (String word : wordList) {
            String trimmed = word == null ? "" : word.strip();
            if (!trimmed.isEmpty()) {
                insert(trimmed);
                count++;
            }
        }
        this.words = count;
        linkFailures();
    }

    /** A matcher for the words; blank words are ignored. */
    public static WordMatcher of(Collection<String> words) {
        return words.isEmpty() ? EMPTY : new WordMatcher(words);
    }

    /** Whether there is nothing to match: then {@link #mask} returns its input. */
    public boolean isEmpty() {
        return words == 0;
    }

    static int fold(int codePoint) {
        return Character.toLowerCase(Character.toUpperCase(codePoint));
    }

    private int addState() {
        next.add(new HashMap<>(4));
        fail.add(0);
        longest.add(0);
        return next.size() - 1;
    }

    private void insert(String word) {
        int state = 0;
        int length = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            i += Character.charCount(cp);
            length++;
            Integer to = next.get(state).get(fold(cp));
            if (to == null) {
                to = addState();
                next.get(state).put(fold(cp), to);
            }
            state = to;
        }
        longest.set(state, Math.max(longest.get(state), length));
    }

    /** Breadth-first, so a state's fail target is finished before the state itself. */
    private void linkFailures() {
        Queue<Integer> queue = new ArrayDeque<>(next.get(0).values());
        while (!queue.isEmpty()) {
            int state = queue.remove();
            for (Map.Entry<Integer, Integer> edge : next.get(state).entrySet()) {
                int child = edge.getValue();
                int f = fail.get(state);
                while (f != 0 && !next.get(f).containsKey(edge.getKey())) {
                    f = fail.get(f);
                }
                Integer target = next.get(f).get(edge.getKey());
                int failTo = target != null && target != child ? target : 0;
                fail.set(child, failTo);
                longest.set(child, Math.max(longest.get(child), longest.get(failTo)));
                queue.add(child);
            }
        }
    }

    /** Whether any word occurs in the text. */
    public boolean matches(String text) {
        return !isEmpty() && scan(text, null);
    }

    /** The text with every code point inside a match replaced by {@code *}; the same instance when nothing matched. */
    public String mask(String text) {
        if (isEmpty()) {
            return text;
        }
        int[] codePoints = text.codePoints().toArray();
        boolean[] masked = new boolean[codePoints.length];
        if (!scan(text, masked)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < codePoints.length; i++) {
            if (masked[i]) {
                out.append('*');
            } else {
                out.appendCodePoint(codePoints[i]);
            }
        }
        return out.toString();
    }

    /** Runs the automaton; marks matched code points in {@code masked} when given, else stops at the first match. */
    private boolean scan(String text, boolean[] masked) {
        boolean found = false;
        int state = 0;
        int position = 0;
        for (int i = 0; i < text.length(); position++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int folded = fold(cp);
            Integer to;
            while ((to = next.get(state).get(folded)) == null && state != 0) {
                state = fail.get(state);
            }
            state = to == null ? 0 : to;
            int length = longest.get(state);
            if (length > 0) {
                if (masked == null) {
                    return true;
                }
                found = true;
                for (int k = position - length + 1; k <= position; k++) {
                    masked[k] = true;
                }
            }
        }
        return found;
    }
}
