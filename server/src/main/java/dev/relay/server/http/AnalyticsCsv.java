package dev.relay.server.http;

import java.util.List;
import java.util.Map;

/**
 * The analytics figures as CSV, the same numbers as the JSON. A report with a {@code series} (active users) is one
 * table: its points' fields are the columns. Any other report is two columns, {@code field,value}, one row per number
 * or text, the field the JSON path with list positions ({@code messages.per_minute.3.count}), so a spreadsheet can
 * filter and pivot it. Values are quoted when they hold a comma, quote or line break (RFC 4180), and text
 * starting with {@code = + - @} gets a leading {@code '}, so no id is run as a spreadsheet formula.
 */
final class AnalyticsCsv {
    private AnalyticsCsv() {
    }

    static String of(Map<String, Object> report) {
        StringBuilder csv = new StringBuilder();
        if (report.get("series") instanceof List<?> series) {
            List<String> columns = null;
            for (Object point : series) {
                Map<?, ?> row = (Map<?, ?>) point;
                if (columns == null) {
                    columns = row.keySet().stream().map(String::valueOf).toList();
                    csv.append(String.join(",", columns)).append("\r\n");
                }
                StringBuilder line = new StringBuilder();
                for (String column : columns) {
                    line.append(line.isEmpty() ? "" : ",").append(cell(row.get(column)));
                }
                csv.append(line).append("\r\n");
            }
            return csv.isEmpty() ? "date,active_users\r\n" : csv.toString();
        }
        csv.append("field,value\r\n");
        flatten("", report, csv);
        return csv.toString();
    }

    private static void flatten(String path, Object value, StringBuilder csv) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, inner) -> flatten(path.isEmpty() ? String.valueOf(key) : path + "." + key, inner, csv));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(path + "." + i, list.get(i), csv);
            }
        } else {
            csv.append(cell(path)).append(',').append(cell(value)).append("\r\n");
        }
    }

    private static String cell(Object value) {
        String text = value == null ? "" : String.valueOf(value);
        if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text; // a user id like =HYPERLINK(...) stays text in a spreadsheet, never a formula
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
