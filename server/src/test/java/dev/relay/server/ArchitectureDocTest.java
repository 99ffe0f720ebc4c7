package dev.relay.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps docs/architecture.md true to the code it names: the numbered path of one room message (a newcomer reads it
 * to find the code, so a renamed or moved file must fail here, and the path must stay short enough to read), every
 * repository path and source file the page mentions, and every relative link with its anchor.
 */
class ArchitectureDocTest {
    private static final String PATH_SECTION = "## One room message, socket to sockets";
    private static final int MAX_PATH_FILES = 12;
    private static final Pattern PATH_STEP = Pattern.compile("^(\\d+)\\. `([^`]+)`");
    /** A repository path in backticks: a module's directory, then src/ and a file with an extension. */
    private static final Pattern REPO_PATH = Pattern.compile("`([a-z][a-z-]*/src/[^` ]+\\.[a-z]+)`");
    private static final Pattern SOURCE_FILE = Pattern.compile("`([A-Z][A-Za-z0-9]*\\.java)`");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static Path root;
    private static String doc;

    @BeforeAll
    static void read() throws IOException {
        root = repositoryRoot();
        doc = Files.readString(root.resolve("docs/architecture.md"));
    }

    @Test
    void theRoomMessagePathNamesExistingFilesInOrderAndAtMostTwelve() {
        List<String> steps = new ArrayList<>();
        List<String> section = section(PATH_SECTION);
        for (String line : section) {
            Matcher step = PATH_STEP.matcher(line);
            if (step.find()) {
                assertThat(Integer.parseInt(step.group(1))).as("the step numbering of " + step.group(2))
                        .isEqualTo(steps.size() + 1);
                steps.add(step.group(2));
            }
        }
        assertThat(steps).as("the numbered path under '" + PATH_SECTION + "'").isNotEmpty()
                .hasSizeLessThanOrEqualTo(MAX_PATH_FILES).doesNotHaveDuplicates();
        assertThat(steps).allSatisfy(file -> {
            assertThat(file).as("a path step names main code").contains("/src/main/");
            assertThat(root.resolve(file)).as("a file on the room message's path").isRegularFile();
        });
    }

    @Test
    void everyRepositoryPathAndSourceFileNamedExists() {
        List<String> paths = all(REPO_PATH);
        assertThat(paths).as("the page names repository paths").isNotEmpty();
        assertThat(paths).allSatisfy(path -> assertThat(root.resolve(path)).isRegularFile());

        Set<String> mainSources = mainSourceFileNames();
        assertThat(all(SOURCE_FILE)).allSatisfy(name ->
                assertThat(mainSources).as("a main source file named " + name).contains(name));
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        Path docs = root.resolve("docs");
        for (String target : all(LINK)) {
            if (target.matches("^[a-z]+:.*")) {
                continue; // http:, https:, mailto:
            }
            int hash = target.indexOf('#');
            String file = hash < 0 ? target : target.substring(0, hash);
            Path linked = file.isEmpty() ? docs.resolve("architecture.md") : docs.resolve(file).normalize();
            assertThat(linked).as("the target of the link " + target).exists();
            if (hash >= 0) {
                assertThat(anchors(Files.readString(linked))).as("the anchors of " + linked.getFileName())
                        .contains(target.substring(hash + 1));
            }
        }
    }

    private static List<String> section(String heading) {
        List<String> lines = doc.lines().toList();
        int start = lines.indexOf(heading);
        assertThat(start).as("the heading '" + heading + "' in docs/architecture.md").isNotNegative();
        List<String> section = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            section.add(lines.get(i));
        }
        return section;
    }

    private static List<String> all(Pattern pattern) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(doc);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces turned into hyphens. */
    private static Set<String> anchors(String markdown) {
        return markdown.lines().filter(line -> line.startsWith("#"))
                .map(line -> line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
                .collect(Collectors.toSet());
    }

    private static Set<String> mainSourceFileNames() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> root.relativize(file).toString().replace('\\', '/').matches("[a-z-]+/src/main/.*"))
                    .map(file -> file.getFileName().toString())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tests run in the server module's directory; the docs live at the top of the repository. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs").resolve("architecture.md"))) {
                return dir;
            }
        }
        throw new AssertionError("docs/architecture.md not found above " + Path.of("").toAbsolutePath());
    }
}
