package dev.relay.core.policy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class WordMatcherTest {
    @Test
    void masksEveryCharacterOfEveryMatchIgnoringCase() {
        WordMatcher matcher = WordMatcher.of(List.of("spam", "Eggs"));
        assertThat(matcher.mask("Buy SPAM and eggs, not ham")).isEqualTo("Buy **** and ****, not ham");
        assertThat(matcher.mask("spammer")).isEqualTo("****mer");
    }

    @Test
    void unmatchedTextIsReturnedAsTheSameInstance() {
        WordMatcher matcher = WordMatcher.of(List.of("spam"));
        String text = "nothing to see";
        assertThat(matcher.mask(text)).isSameAs(text);
        assertThat(matcher.matches(text)).isFalse();
    }

    @Test
    void cjkWordsMatchWithoutSpaces() {
        WordMatcher matcher = WordMatcher.of(List.of("垃圾", "广告"));
        assertThat(matcher.mask("这是垃圾广告吗")).isEqualTo("这是****吗");
        assertThat(matcher.matches("全部正常")).isFalse();
    }

    @Test
    void overlappingAndNestedWordsAreAllMasked() {
        WordMatcher matcher = WordMatcher.of(List.of("he", "she", "hers", "his"));
        assertThat(matcher.mask("ushers")).isEqualTo("u*****");
        assertThat(matcher.mask("ahishe")).isEqualTo("a*****");
        WordMatcher nested = WordMatcher.of(List.of("abcd", "bc"));
        assertThat(nested.mask("xabcx")).isEqualTo("xa**x"); // the failure link from "abc" must find "bc"
    }

    @Test
    void aCharacterOutsideTheBmpIsOneCharacterToMask() {
        WordMatcher matcher = WordMatcher.of(List.of("😀x"));
        assertThat(matcher.mask("a😀Xb")).isEqualTo("a**b");
    }

    @Test
    void blankWordsAreIgnoredAndAnEmptyMatcherMatchesNothing() {
        WordMatcher matcher = WordMatcher.of(List.of("", "  "));
        assertThat(matcher.isEmpty()).isTrue();
        assertThat(matcher.mask("anything")).isEqualTo("anything");
    }

    @Test
    void agreesWithANaiveSearchOnRandomInput() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                words.add(randomText(random, 1 + random.nextInt(4)));
            }
            String text = randomText(random, random.nextInt(40));
            assertThat(WordMatcher.of(words).mask(text)).as("%s in %s", words, text).isEqualTo(naiveMask(words, text));
        }
    }

    @Test
    void staysFastWithThousandsOfWords() {
        Random random = new Random(7);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            words.add(randomText(random, 3 + random.nextInt(6)) + i);
        }
        WordMatcher matcher = WordMatcher.of(words);
        String text = randomText(random, 1_000);
        long start = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            matcher.mask(text);
        }
        // 1,000 messages of 1,000 characters against 5,000 words: well under a second on any machine that runs CI.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
    }

    private static String randomText(Random random, int length) {
        String alphabet = "abAB垃圾";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static String naiveMask(List<String> words, String text) {
        String lower = text.toLowerCase();
        char[] out = text.toCharArray();
        for (String word : words) {
            String w = word.strip().toLowerCase();
            if (w.isEmpty()) {
                continue;
            }
            for (int i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) {
                for (int k = i; k < i + w.length(); k++) {
                    out[k] = '*';
                }
            }
        }
        return new String(out);
    }
}
