package dev.relay.server.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "60s,    PT60S",
            "5m,     PT5M",
            "1h,     PT1H",
            "1h30m,  PT1H30M",
            "500ms,  PT0.5S",
            "1d,     PT24H",
            "1.5h,   PT1H30M",
            "250us,  PT0.00025S",
            "1ns,    PT0.000000001S",
            "2m30s,  PT2M30S",
    })
    void readsGoStyleDurations(String text, Duration expected) throws BadValue {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-5s", "0s", "0ms", "", "5", "1h 30m", "5M", "5 s", "s", "1x", "1.s", "1h-30m",
            "0.1ns", "106752d"})
    void rejectsWhatIsNotAPositiveDuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(BadValue.class)
                .hasMessageStartingWith("expected a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"60", "0", "1.5"})
    void bareNumberIsRefusedAsAmbiguous(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(BadValue.class)
                .hasMessageContaining("a bare number is ambiguous")
                .hasMessageContaining(text + "s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"106751d", "9223372036854775807ns"})
    void acceptsUpToTheLargestDurationInNanoseconds(String text) throws BadValue {
        assertThat(Durations.parse(text)).isGreaterThan(Duration.ofDays(106_750));
    }
}
