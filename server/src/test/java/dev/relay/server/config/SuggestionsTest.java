package dev.relay.server.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SuggestionsTest {
    private static final List<String> KEYS = ConfigKeys.names();

    @Test
    void suggestsTheKeyAfterATypo() {
        assertThat(Suggestions.closest("max_conections", KEYS)).contains("max_connections");
        assertThat(Suggestions.closest("prot", KEYS)).contains("port");
        assertThat(Suggestions.closest("Max-Connections", KEYS)).contains("max_connections");
        assertThat(Suggestions.closest("pingperiod", KEYS)).contains("ping_period");
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertThat(Suggestions.closest("kafka_brokers", KEYS)).isEmpty();
        assertThat(Suggestions.closest("xyz", KEYS)).isEmpty();
    }

    @Test
    void countsASwapOfNeighboursAsOneEdit() {
        assertThat(Suggestions.distance("prot", "port")).isEqualTo(1);
        assertThat(Suggestions.distance("port", "port")).isZero();
        assertThat(Suggestions.distance("", "port")).isEqualTo(4);
    }
}
