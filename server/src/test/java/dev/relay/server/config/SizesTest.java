package dev.relay.server.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
            "512,        512",
            "1,          1",
            "8KiB,       8192",
            "8kib,       8192",
            "1MiB,       1048576",
            "1GiB,       1073741824",
            "8KB,        8000",
            "2MB,        2000000",
            "2GB,        2000000000",
            "100B,       100",
            "'8 KiB',    8192",
            "2147483647, 2147483647",
    })
    void readsSizes(String text, int bytes) throws BadValue {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "12XB", "2GiB", "2147483648", "3GB", "99999999999999999999", "", "KiB",
            "1.5KiB", "8 K iB", "0KiB", "8  KiB"})
    void rejectsWhatIsNotASizeFromOneByteToMaxInt(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(BadValue.class)
                .hasMessageStartingWith("expected a size in bytes from 1 to 2147483647");
    }
}
