package dev.relay.server.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class FileSpoolTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void whatWasKeptAndNotForgottenIsPendingAfterReopeningWithItsLatestCountOfTries() {
        Path file = dir.resolve("webhooks").resolve("a.spool");
        FileSpool spool = FileSpool.open(file, MAPPER);
        spool.keep(new Delivery("1", bytes("{\"a\":1}"), 0));
        spool.keep(new Delivery("2", bytes("{\"b\":2}"), 0));
        spool.keep(new Delivery("1", bytes("{\"a\":1}"), 2));
        spool.keep(new Delivery("3", bytes("{\"c\":3}"), 0));
        spool.forget("2");
        spool.close();

        FileSpool reopened = FileSpool.open(file, MAPPER);

        assertThat(reopened.pending()).extracting(Delivery::id).containsExactly("1", "3");
        assertThat(reopened.pending().getFirst().attempts()).isEqualTo(2);
        assertThat(new String(reopened.pending().getFirst().body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        reopened.close();
    }

    @Test
    void openingCompactsTheJournalAndSkipsATornLastLine() throws IOException {
        Path file = dir.resolve("b.spool");
        FileSpool spool = FileSpool.open(file, MAPPER);
        for (int i = 0; i < 10; i++) {
            spool.keep(new Delivery("d" + i, bytes("{}"), 0));
            if (i > 0) {
                spool.forget("d" + i);
            }
        }
        spool.close();
        assertThat(Files.readAllLines(file)).hasSize(19);
        Files.writeString(file, "{\"op\":\"keep\",\"id\":\"torn", StandardOpenOption.APPEND);

        FileSpool reopened = FileSpool.open(file, MAPPER);

        assertThat(reopened.pending()).extracting(Delivery::id).containsExactly("d0");
        assertThat(Files.readAllLines(file)).as("only what is pending is left").hasSize(1);
        reopened.close();
    }

    @Test
    void nothingIsWrittenAfterClose() throws IOException {
        Path file = dir.resolve("c.spool");
        FileSpool spool = FileSpool.open(file, MAPPER);
        spool.keep(new Delivery("1", bytes("{}"), 0));
        spool.close();

        spool.keep(new Delivery("2", bytes("{}"), 0));
        spool.forget("1");

        assertThat(FileSpool.open(file, MAPPER).pending()).extracting(Delivery::id).containsExactly("1");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
