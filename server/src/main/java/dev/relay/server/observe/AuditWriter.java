package dev.relay.server.observe;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.relay.core.protocol.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes activity events as JSON lines to {@code audit.log} on a thread of its own, so no event loop ever waits for
 * a disk. The queue is bounded: when the disk cannot keep up, new lines are dropped and counted rather than grow
 * the heap. The file rolls daily and at a size, as {@code audit.YYYY-MM-DD.N.log}; rolled files older than the
 * retention are deleted, and so are the oldest once the rolled files together pass their total size cap, so a flood
 * of events can fill the disk no more than a quiet month.
 */
final class AuditWriter implements ActivityLog.Sink, AutoCloseable {
    static final String FILE = "audit.log";
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    private static final int QUEUE_CAPACITY = 10_000;
    /** How long lines may gather after a write before the next batch; the most an audit line is delayed by it. */
    private static final long BATCH_PAUSE_MILLIS = 10;
    private static final Line STOP = new Line(null, null);
    private static final Pattern ROLLED_NAME = Pattern.compile("audit\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d{1,9})\\.log");

    private record Line(String userId, ActivityEvent event) {
    }

    private final Path dir;
    private final long maxFileBytes;
    private final Duration retention;
    private final long totalSizeCap;
    private final Clock clock;
    /** No separator between root values: each line ends with its own newline, written with the object. */
    private final JsonFactory json = new JsonFactoryBuilder().rootValueSeparator((String) null)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM).build();
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    /**
     * Lines are streamed straight into the file's buffer (no map, no intermediate string): at a burst of connects
     * this thread writes two or three lines per connection, and it shares the cores with the event loops.
     */
    private JsonGenerator out;
    private OutputStream file;
    private CountingStream counted;
    private LocalDate openedOn;
    private boolean failing;

    /** @param totalSizeCap bytes all rolled files may take together; the oldest are deleted first */
    AuditWriter(Path dir, long maxFileBytes, int retentionDays, long totalSizeCap, Clock clock) {
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.retention = Duration.ofDays(retentionDays);
        this.totalSizeCap = totalSizeCap;
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
                    if (line != null) {
                        // Let a burst gather while this thread sleeps instead of waiting on the queue: an event loop
                        // offering a line then finds no parked thread to wake (a futex call per line at a burst of
                        // connects), and the next pass writes the whole batch with one flush.
                        Thread.sleep(BATCH_PAUSE_MILLIS);
                    }
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
            writeFields(out, line);
            out.writeRaw('\n');
            out.flush(); // into the file's buffer only, so the byte count covers this line
            failing = false;
        } catch (IOException | UncheckedIOException e) {
            if (!failing) { // once per run of failures, not once per line
                LOG.error("event=audit_write_failed file={}", file(), e);
                failing = true;
            }
            closeFile();
        }
    }

    private static void writeFields(JsonGenerator json, Line line) throws IOException {
        ActivityEvent event = line.event();
        json.writeStartObject();
        json.writeStringField("timestamp", Timestamps.format(event.at()));
        json.writeStringField("user_id", line.userId());
        json.writeStringField("event", event.type());
        writeIfPresent(json, "client_id", event.clientId());
        writeIfPresent(json, "room_id", event.roomId());
        if (event.closeCode() != null) {
            json.writeNumberField("close_code", event.closeCode());
        }
        writeIfPresent(json, "detail", event.detail());
        if (event.count() > 1) {
            json.writeNumberField("count", event.count());
            json.writeStringField("last", Timestamps.format(event.last()));
        }
        json.writeEndObject();
    }

    private static void writeIfPresent(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    /** Counts what goes through, so the size limit needs no re-encoding of a line to know its bytes. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out, long start) {
            super(out);
            this.count = start;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }
    }

    private void rollIfDue() throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (out != null && (counted.count >= maxFileBytes || !today.equals(openedOn))) {
            closeFile();
            Path rolled = rolledName(openedOn);
            Files.move(file(), rolled);
            deleteExpired();
        }
        if (out == null) {
            Files.createDirectories(dir);
            file = new BufferedOutputStream(Files.newOutputStream(file(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND), 64 * 1024);
            counted = new CountingStream(file, Files.size(file()));
            out = json.createGenerator(counted, JsonEncoding.UTF8);
            openedOn = today;
        }
    }

    /** The day's next number: one past the highest there, so a file deleted by the cap never has its name reused. */
    private Path rolledName(LocalDate day) throws IOException {
        int next = 0;
        try (DirectoryStream<Path> rolled = Files.newDirectoryStream(dir, "audit." + day + ".*.log")) {
            for (Path file : rolled) {
                Matcher name = ROLLED_NAME.matcher(file.getFileName().toString());
                if (name.matches()) {
                    next = Math.max(next, Integer.parseInt(name.group(2)) + 1);
                }
            }
        }
        return dir.resolve("audit." + day + "." + next + ".log");
    }

    private void deleteExpired() throws IOException {
        Instant cutoff = clock.instant().minus(retention);
        List<Rolled> kept = new ArrayList<>();
        try (DirectoryStream<Path> rolled = Files.newDirectoryStream(dir, "audit.*.log")) {
            for (Path file : rolled) {
                Matcher name = ROLLED_NAME.matcher(file.getFileName().toString());
                if (!name.matches()) {
                    continue;
                }
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                } else {
                    kept.add(new Rolled(file, LocalDate.parse(name.group(1)), Integer.parseInt(name.group(2)),
                            Files.size(file)));
                }
            }
        }
        kept.sort(Comparator.comparing(Rolled::day).thenComparingInt(Rolled::index).reversed());
        long total = 0;
        for (Rolled file : kept) { // newest first: what is past the cap is the oldest
            total += file.bytes();
            if (total > totalSizeCap) {
                Files.deleteIfExists(file.path());
            }
        }
    }

    /** A rolled file, ordered by the day and the number in its name (the number is not zero-padded). */
    private record Rolled(Path path, LocalDate day, int index, long bytes) {
    }

    private void flush() {
        if (out != null) {
            try {
                out.flush();
                file.flush();
            } catch (IOException e) {
                LOG.error("event=audit_write_failed file={}", file(), e);
                closeFile();
            }
        }
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close(); // and the streams under it
            } catch (IOException ignored) {
                // already reported, or nothing more can be done with this file
            }
            out = null;
            file = null;
            counted = null;
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
