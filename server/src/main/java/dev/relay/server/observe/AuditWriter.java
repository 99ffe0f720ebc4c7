package dev.relay.server.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes activity events as JSON lines to {@code audit.log} on a thread of its own, so no event loop ever waits for
 * a disk. The queue is bounded: when the disk cannot keep up, new lines are dropped and counted rather than grow
 * the heap. The file rolls daily and at a size, as {@code audit.YYYY-MM-DD.N.log}; rolled files older than the
 * retention are deleted.
 */
final class AuditWriter implements ActivityLog.Sink, AutoCloseable {
    static final String FILE = "audit.log";
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    private static final int QUEUE_CAPACITY = 10_000;
    private static final Line STOP = new Line(null, null);

    private record Line(String userId, ActivityEvent event) {
    }

    private final Path dir;
    private final long maxFileBytes;
    private final Duration retention;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private BufferedWriter out;
    private long written;
    private LocalDate openedOn;
    private boolean failing;

    AuditWriter(Path dir, long maxFileBytes, int retentionDays, Clock clock) {
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.retention = Duration.ofDays(retentionDays);
        this.clock = clock;
        this.thread = new Thread(this::run, "relay-audit");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void accept(String userId, ActivityEvent event) {
        if (!queue.offer(new Line(userId, event))) {
            dropped.increment();
        }
    }

    /** Lines dropped because the queue was full. */
    long dropped() {
        return dropped.sum();
    }

    Path file() {
        return dir.resolve(FILE);
    }

    private void run() {
        try {
            while (true) {
                Line line = queue.poll(1, TimeUnit.SECONDS);
                if (line == STOP) {
                    break;
                }
                if (line != null) {
                    write(line);
                }
                if (queue.isEmpty()) {
                    flush(); // batch under load, but never leave a quiet line unwritten
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeFile();
        }
    }

    private void write(Line line) {
        try {
            rollIfDue();
            String text = json.writeValueAsString(fields(line)) + "\n";
            out.write(text);
            written += text.getBytes(StandardCharsets.UTF_8).length;
            failing = false;
        } catch (IOException | UncheckedIOException e) {
            if (!failing) { // once per run of failures, not once per line
                LOG.error("event=audit_write_failed file={}", file(), e);
                failing = true;
            }
            closeFile();
        }
    }

    private static Map<String, Object> fields(Line line) {
        ActivityEvent event = line.event();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("timestamp", Timestamps.format(event.at()));
        fields.put("user_id", line.userId());
        fields.put("event", event.type());
        putIfPresent(fields, "client_id", event.clientId());
        putIfPresent(fields, "room_id", event.roomId());
        putIfPresent(fields, "close_code", event.closeCode());
        putIfPresent(fields, "detail", event.detail());
        if (event.count() > 1) {
            fields.put("count", event.count());
            fields.put("last", Timestamps.format(event.last()));
        }
        return fields;
    }

    private static void putIfPresent(Map<String, Object> fields, String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    private void rollIfDue() throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (out != null && (written >= maxFileBytes || !today.equals(openedOn))) {
            closeFile();
            Path rolled = rolledName(openedOn);
            Files.move(file(), rolled);
            deleteExpired();
        }
        if (out == null) {
            Files.createDirectories(dir);
            out = Files.newBufferedWriter(file(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            written = Files.size(file());
            openedOn = today;
        }
    }

    private Path rolledName(LocalDate day) {
        for (int n = 0; ; n++) {
            Path candidate = dir.resolve("audit." + day + "." + n + ".log");
            if (!Files.exists(candidate)) {
                return candidate;
            }
        }
    }

    private void deleteExpired() throws IOException {
        Instant cutoff = clock.instant().minus(retention);
        try (DirectoryStream<Path> rolled = Files.newDirectoryStream(dir, "audit.*.log")) {
            for (Path file : rolled) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void flush() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                LOG.error("event=audit_write_failed file={}", file(), e);
                closeFile();
            }
        }
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already reported, or nothing more can be done with this file
            }
            out = null;
        }
    }

    /** Writes what is queued, then stops; waits at most two seconds. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
