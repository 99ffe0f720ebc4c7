package dev.relay.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Turns the JSON results of a comparison run into one markdown table: a row per server, absolute figures and each
 * figure's ratio to the reference (Relay).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Markdown table of the JSON results in DIR (bench/compare.sh writes them).")
public final class CompareReport implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "folder of *.json results")
    Path dir;
    @Option(names = "--reference", description = "label the ratios are relative to (default relay)")
    String reference = "relay";

    /** One figure of the table: which result, which field, and whether more is better. */
    record Column(String title, String kind, String field, boolean higherIsBetter, boolean ratio) {
    }

    static final List<Column> COLUMNS = List.of(
            new Column("fanout deliveries/s", "fanout-max", "deliveries_per_s", true, true),
            new Column("frames/s", "fanout-max", "frames_per_s", true, false),
            new Column("server CPU µs/delivery", "fanout-max", "server_cpu_us_per_delivery", false, true),
            new Column("lost", "fanout-max", "lost", false, false),
            new Column("p99 ms at max", "fanout-max", "latency_p99_ms", false, false),
            new Column("p99 ms paced", "fanout-paced", "latency_p99_ms", false, true),
            new Column("from send", "fanout-paced", "latency_from_send_p99_ms", false, false),
            new Column("generator late p99", "fanout-paced", "send_lag_p99_ms", false, false),
            new Column("handshakes/s", "connect", "handshakes_per_s", true, true),
            new Column("idle RSS KiB/conn", "idle", "rss_per_connection_kib", false, true),
            new Column("marginal KiB/conn", "idle", "rss_marginal_per_connection_kib", false, true),
            new Column("after GC (JVM)", "idle", "rss_after_gc_per_connection_kib", false, false),
            new Column("connected", "idle", "connected", true, false));

    @Override
    public Integer call() throws IOException {
        System.out.print(render(load(dir), reference));
        return 0;
    }

    /** Results by label, then by kind (fanout-max, fanout-paced, connect, idle), in file-name order. */
    static Map<String, Map<String, Map<String, Object>>> load(Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Map<String, Map<String, Object>>> byLabel = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            @SuppressWarnings("unchecked")
            Map<String, Object> result = mapper.readValue(file.toFile(), Map.class);
            String label = String.valueOf(result.get("label"));
            byLabel.computeIfAbsent(label, l -> new LinkedHashMap<>()).put(kind(result), result);
        }
        return byLabel;
    }

    static String kind(Map<String, Object> result) {
        String scenario = String.valueOf(result.get("scenario"));
        if (scenario.equals("fanout")) {
            Object rate = result.get("rate_msgs_per_s");
            return rate instanceof Number n && n.doubleValue() > 0 ? "fanout-paced" : "fanout-max";
        }
        return scenario;
    }

    static String render(Map<String, Map<String, Map<String, Object>>> byLabel, String reference) {
        Map<String, Map<String, Object>> ref = byLabel.getOrDefault(reference, Map.of());
        StringBuilder out = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("server"));
        for (Column column : COLUMNS) {
            header.add(column.title());
            if (column.ratio()) {
                header.add("× " + reference);
            }
        }
        out.append("| ").append(String.join(" | ", header)).append(" |\n");
        out.append("|").append("---|".repeat(header.size())).append("\n");
        for (var entry : byLabel.entrySet()) {
            List<String> cells = new ArrayList<>(List.of(entry.getKey()));
            for (Column column : COLUMNS) {
                Double value = number(entry.getValue().get(column.kind()), column.field());
                cells.add(value == null ? "–" : format(value));
                if (column.ratio()) {
                    Double base = number(ref.get(column.kind()), column.field());
                    cells.add(value == null || base == null || base == 0 ? "–"
                            : String.format(Locale.ROOT, "%.2f", value / base));
                }
            }
            out.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return out.toString();
    }

    private static Double number(Map<String, Object> result, String field) {
        if (result == null || !(result.get(field) instanceof Number n)) {
            return null;
        }
        return n.doubleValue();
    }

    static String format(double value) {
        if (Math.abs(value) >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        if (Math.abs(value) >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", value / 1e3);
        }
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
    }
}
