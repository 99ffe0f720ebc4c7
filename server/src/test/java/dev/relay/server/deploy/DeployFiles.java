package dev.relay.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the files under deploy/ (and the Dockerfile) the way the tools that use them would. */
final class DeployFiles {
    /** The repository's root: the server module's tests run in server/. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Pattern METRIC = Pattern.compile("\\b((?:relay|jvm|process)_[a-z_]+)\\b");

    private DeployFiles() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One YAML document, with anchors, aliases and merge keys resolved as Compose and Helm resolve them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        return (Map<String, Object>) new Yaml(new LoaderOptions()).load(read(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(read(DEPLOY.resolve("grafana/relay-dashboard.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every PromQL expression of the alert rules and of the dashboard's panels. */
    static List<String> promqlExpressions() {
        List<String> expressions = new ArrayList<>();
        for (Object group : list(yaml(DEPLOY.resolve("prometheus/relay-rules.yaml")).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                expressions.add((String) map(rule).get("expr"));
            }
        }
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        return expressions;
    }

    /** The Relay, JVM and process metric names the expressions use. */
    static Set<String> metricNames(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher metric = METRIC.matcher(expression);
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }
}
