package dev.relay.bench.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CompareReportTest {
    @Test
    void rowsCarryRatiosToTheReference() {
        Map<String, Map<String, Map<String, Object>>> results = new LinkedHashMap<>();
        results.put("gorilla", Map.of(
                "fanout-max", Map.<String, Object>of("deliveries_per_s", 500_000.0, "lost", 0),
                "idle", Map.<String, Object>of("rss_per_connection_kib", 17.0)));
        results.put("relay", Map.of(
                "fanout-max", Map.<String, Object>of("deliveries_per_s", 1_000_000.0, "lost", 0),
                "idle", Map.<String, Object>of("rss_per_connection_kib", 4.25)));
        String table = CompareReport.render(results, "relay");
        assertThat(table.lines().toList()).hasSize(4);
        assertThat(table).contains("| gorilla | 500k | 0.50 |").contains("| relay | 1.00M | 1.00 |");
        assertThat(table).contains("17 | 4.00 |").contains("4.25 | 1.00 |");
    }

    @Test
    void kindTellsMaxRateFromPaced() {
        assertThat(CompareReport.kind(Map.of("scenario", "fanout", "rate_msgs_per_s", 0.0))).isEqualTo("fanout-max");
        assertThat(CompareReport.kind(Map.of("scenario", "fanout", "rate_msgs_per_s", 200.0))).isEqualTo("fanout-paced");
        assertThat(CompareReport.kind(Map.of("scenario", "idle"))).isEqualTo("idle");
    }
}
