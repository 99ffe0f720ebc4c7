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
 * @param level          the least severe lines written: error, warn, info, debug or trace
 */
public record LogConfig(String format, int maxFileSize, int retentionDays, int totalSizeCap, int auditTotalSizeCap,
                        String level) {
    public static final String TEXT = "text";
    public static final String JSON = "json";

    public LogConfig {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(level, "level");
    }

    public boolean json() {
        return format.equals(JSON);
    }
}
