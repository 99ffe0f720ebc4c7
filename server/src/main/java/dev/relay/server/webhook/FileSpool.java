package dev.relay.server.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A webhook's pending deliveries in a journal file of this node: one JSON line per change ({@code keep} with the
 * body, {@code forget} with the id), appended and flushed to the operating system before the try it records, so a
 * killed process loses nothing it had accepted (a power cut may lose the last lines: there is no fsync per event).
 * Opening replays the journal and rewrites it with only what is pending; so does every 1,000th forget, which keeps
 * the file about the size of what is pending. A line that cannot be read (a torn last line) is skipped and logged.
 */
final class FileSpool implements Spool {
    private static final Logger LOG = LoggerFactory.getLogger(FileSpool.class);
    private static final int COMPACT_EVERY = 1_000;

    private final Path file;
    private final ObjectMapper mapper;
    private final ReentrantLock lock = new ReentrantLock();
    /** What is pending, by id, in the order kept: the file's content after compaction. */
    private final Map<String, Delivery> pending = new LinkedHashMap<>();
    private BufferedWriter writer;
    private int forgotten;
    /** Set by close: a retry finishing while the server stops writes nothing more. */
    private boolean closed;

    private FileSpool(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
    }

    static FileSpool open(Path file, ObjectMapper mapper) {
        FileSpool spool = new FileSpool(file, mapper);
        try {
            Files.createDirectories(file.getParent());
            spool.replay();
            spool.compact();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the webhook spool " + file, e);
        }
        return spool;
    }

    @Override
    public List<Delivery> pending() {
        lock.lock();
        try {
            return List.copyOf(pending.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void keep(Delivery delivery) {
        lock.lock();
        try {
            pending.put(delivery.id(), delivery);
            append(line("keep", delivery));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forget(String id) {
        lock.lock();
        try {
            if (pending.remove(id) == null || closed) {
                return;
            }
            append(mapper.writeValueAsString(Map.of("op", "forget", "id", id)));
            if (++forgotten >= COMPACT_EVERY) {
                compact();
            }
        } catch (IOException e) {
            LOG.error("event=webhook_spool_failed file={}", file, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (writer != null) {
                writer.close();
                writer = null;
            }
        } catch (IOException e) {
            LOG.warn("event=webhook_spool_close_failed file={}", file, e);
        } finally {
            lock.unlock();
        }
    }

    private void replay() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                JsonNode line = mapper.readTree(text);
                String id = line.get("id").asText();
                if (line.get("op").asText().equals("keep")) {
                    pending.put(id, new Delivery(id, Base64.getDecoder().decode(line.get("body").asText()),
                            line.get("attempts").asInt()));
                } else {
                    pending.remove(id);
                }
            } catch (IOException | RuntimeException torn) {
                LOG.warn("event=webhook_spool_line_skipped file={} cause={}", file, torn.getClass().getSimpleName());
            }
        }
    }

    /** Rewrites the file with what is pending, through a temporary file, so a crash leaves the old or the new one. */
    private void compact() throws IOException {
        if (writer != null) {
            writer.close();
        }
        Path next = file.resolveSibling(file.getFileName() + ".tmp");
        List<String> lines = new ArrayList<>();
        for (Delivery delivery : pending.values()) {
            lines.add(line("keep", delivery));
        }
        Files.write(next, lines, StandardCharsets.UTF_8);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        forgotten = 0;
    }

    private String line(String op, Delivery delivery) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("op", op);
        line.put("id", delivery.id());
        line.put("attempts", delivery.attempts());
        line.put("body", Base64.getEncoder().encodeToString(delivery.body()));
        try {
            return mapper.writeValueAsString(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(String line) {
        if (closed) {
            return;
        }
        try {
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // The delivery still goes out; only a restart before it is done would lose it.
            LOG.error("event=webhook_spool_failed file={}", file, e);
        }
    }
}
