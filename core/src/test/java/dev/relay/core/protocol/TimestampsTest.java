package dev.relay.core.protocol;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestampsTest {
    @Test
    void whatFormatWritesParseReadsBackToTheMillisecond() {
        for (String text : new String[]{"1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z",
                "2026-11-27T05:00:00.123Z", "1969-12-31T23:59:59.001Z", "9999-12-31T23:59:59.999Z"}) {
            Instant parsed = Timestamps.parse(text);
            assertThat(parsed).as(text).isEqualTo(Instant.parse(text));
            assertThat(Timestamps.format(parsed)).isEqualTo(text);
        }
    }

    @Test
    void otherIsoInstantsGoThroughTheGeneralParser() {
        assertThat(Timestamps.parse("2026-11-27T05:00:00.123456789Z"))
                .isEqualTo(Instant.parse("2026-11-27T05:00:00.123456789Z"));
        assertThat(Timestamps.parse("2026-11-27T05:00:00Z")).isEqualTo(Instant.parse("2026-11-27T05:00:00Z"));
    }

    @Test
    void impossibleDatesOfTheRightShapeAreRefused() {
        for (String text : new String[]{"2023-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
                "2026-11-27T05:60:00.000Z", "2026-1x-27T05:00:00.000Z"}) {
            assertThatThrownBy(() -> Timestamps.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
