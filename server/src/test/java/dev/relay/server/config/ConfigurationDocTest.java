package dev.relay.server.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Holds docs/configuration.md's table of keys to the registry, so that neither drifts from the other. */
class ConfigurationDocTest {
    private static final String HEADER = "| Key | Environment variable | Type | Default | Meaning |";

    private static String doc;
    private static Map<String, List<String>> rows;

    @BeforeAll
    static void readTable() throws IOException {
        doc = Files.readString(docFile());
        rows = new LinkedHashMap<>();
        List<String> lines = doc.lines().toList();
        int header = lines.indexOf(HEADER);
        assertThat(header).as("the keys table header in docs/configuration.md").isNotNegative();
        // Skip the header and its |---| line; the table ends at the first line that is not a row.
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            List<String> cells = cells(line);
            rows.put(unquote(cells.get(0)), cells);
        }
    }

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyExists() {
        assertThat(rows.keySet()).containsExactlyElementsOf(ConfigKeys.names());
    }

    @Test
    void environmentVariableTypeAndDefaultMatchTheRegistry() {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            List<String> row = rows.get(key.name());
            assertThat(row).as(key.name()).isNotNull().hasSize(5);
            assertThat(row.get(1)).as(key.name() + " variable").isEqualTo("`" + key.environmentVariable() + "`");
            assertThat(row.get(2)).as(key.name() + " type").isEqualTo(key.type().description());
            assertThat(row.get(3)).as(key.name() + " default").isEqualTo(key.type().documentedDefault(key.defaultText()));
        }
    }

    @Test
    void plannedKeysAndOnlyThoseAreMarkedPlanned() {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            assertThat(rows.get(key.name()).get(4).startsWith("**Planned.**")).as(key.name()).isEqualTo(key.planned());
        }
    }

    @Test
    void exampleFileLoadsAndMentionsEveryKey() throws IOException {
        String example = doc.substring(doc.indexOf("```yaml\n") + "```yaml\n".length());
        example = example.substring(0, example.indexOf("```"));
        Path file = Files.createTempFile("relay-example", ".yaml");
        try {
            Files.writeString(file, example);
            RelayConfig config = ConfigLoader.load(file, Map.of(), Map.of());
            assertThat(config).as("the example spells out the defaults").isEqualTo(RelayConfig.defaults());
        } finally {
            Files.delete(file);
        }
        for (String name : ConfigKeys.names()) {
            assertThat(example).as("example mentions " + name).contains(name + ":");
        }
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        for (String cell : row.substring(1, row.lastIndexOf('|')).split("\\|", -1)) {
            cells.add(cell.strip());
        }
        return cells;
    }

    private static String unquote(String cell) {
        return cell.startsWith("`") && cell.endsWith("`") ? cell.substring(1, cell.length() - 1) : cell;
    }

    /** Tests run in the server module's directory; the docs live at the top of the repository. */
    private static Path docFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("configuration.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/configuration.md not found above " + Path.of("").toAbsolutePath());
    }
}
