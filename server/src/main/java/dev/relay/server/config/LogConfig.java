package dev.relay.server.config;

import java.util.Objects;

/**
 * How log files look and how long they are kept.
 *
 * @param format         {@code text} (key=value lines) or {@code json} (one object per line)
 * @param maxFileSize    bytes at which a log file is rolled over
 * @param retentionDays  days rolled files are kept
 * @param totalSizeCap   bytes all rolled websocket.log files may take
 * @param auditTotalSizeCap bytes all rolled audit.log files may take
 */
public record LogConfig(String format, int maxFileSize, int retentionDays, int totalSizeCap, int auditTotalSizeCap) {
    public static final String TEXT = "text";
    public static final String JSON = "json";

    public LogConfig {
        Objects.requireNonNull(format, "format");
    }

    public boolean json() {
        return format.equals(JSON);
    }
}
