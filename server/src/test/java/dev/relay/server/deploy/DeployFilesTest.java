package dev.relay.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.relay.server.deploy.DeployFiles.DEPLOY;
import static dev.relay.server.deploy.DeployFiles.ROOT;
import static dev.relay.server.deploy.DeployFiles.list;
import static dev.relay.server.deploy.DeployFiles.map;
import static dev.relay.server.deploy.DeployFiles.read;
import static dev.relay.server.deploy.DeployFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Dockerfile, the Compose file, the Helm chart, the alert rules and the dashboard use only settings, paths and
 * files that exist, with values Relay accepts: what the files say is checked against the code in every build, so
 * they cannot drift from it unnoticed. Where the tool itself is installed (helm, promtool) it checks them too.
 */
class DeployFilesTest {
    private static final String SECRET = "a-jwt-secret-of-at-least-thirty-two-bytes";
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z_]+)(?::[?-][^}]*)?}");

    @Test
    void composeNodesUseOnlyRelaySettingsWithValuesRelayAccepts() {
        Map<String, Object> services = map(yaml(DEPLOY.resolve("compose.yaml")).get("services"));
        List<String> nodes = relayNodes(services);

        assertThat(nodes).containsExactly("relay-1", "relay-2", "relay-3");
        Set<String> nodeIds = new TreeSet<>();
        for (String node : nodes) {
            Map<String, String> env = new HashMap<>();
            map(map(services.get(node)).get("environment")).forEach((name, value) ->
                    env.put(name, ENV_REFERENCE.matcher(String.valueOf(value)).replaceAll(SECRET)));

            assertThat(ConfigLoader.unknownEnvironmentVariables(env)).as(node).isEmpty();
            RelayConfig config = ConfigLoader.load(null, env, Map.of());
            assertThat(config.cluster().engine()).as(node).isEqualTo("redis");
            nodeIds.add(env.get("WS_NODE_ID"));
        }
        assertThat(nodeIds).as("node_id must differ between nodes").hasSize(nodes.size());
        assertThat(services).containsKeys("redis", "postgres", "lb");
    }

    @Test
    void theBalancerSendsToEveryRelayNodeOnItsPortWithWebSocketUpgrades() {
        Map<String, Object> services = map(yaml(DEPLOY.resolve("compose.yaml")).get("services"));
        String nginx = read(DEPLOY.resolve("nginx.conf"));

        for (String node : relayNodes(services)) {
            assertThat(nginx).contains("server " + node + ":8080");
        }
        assertThat(nginx).contains("proxy_set_header Upgrade $http_upgrade").contains("proxy_http_version 1.1");
        assertThat(list(map(services.get("lb")).get("ports"))).containsExactly("8080:8080");
        // The balancer's fixed address is the one proxy whose X-Forwarded-For the nodes believe.
        String balancer = (String) map(map(map(services.get("lb")).get("networks")).get("default")).get("ipv4_address");
        assertThat(map(map(services.get("relay-1")).get("environment")).get("WS_TRUSTED_PROXIES"))
                .isEqualTo(balancer + "/32");
    }

    @Test
    void theChartsDefaultConfigurationLoads(@TempDir Path dir) throws IOException {
        Map<String, Object> values = yaml(DEPLOY.resolve("helm/relay/values.yaml"));
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, new Yaml().dump(Map.of("websocket", values.get("config"))));

        RelayConfig config = ConfigLoader.load(file, Map.of("WS_JWT_SECRET", SECRET), Map.of());

        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.observability().internalPort()).contains(9090);
        Duration grace = Duration.ofSeconds(((Number) values.get("terminationGracePeriodSeconds")).longValue());
        assertThat(grace).as("Kubernetes must wait for the graceful shutdown")
                .isGreaterThanOrEqualTo(config.delivery().shutdownTimeout());
    }

    @Test
    void everyValueTheTemplatesReadIsInValuesYaml() throws IOException {
        Map<String, Object> values = yaml(DEPLOY.resolve("helm/relay/values.yaml"));
        Pattern reference = Pattern.compile("\\.Values\\.([A-Za-z0-9_.]+)");
        Set<String> missing = new TreeSet<>();
        try (var templates = Files.list(DEPLOY.resolve("helm/relay/templates"))) {
            for (Path template : templates.toList()) {
                Matcher used = reference.matcher(read(template));
                while (used.find()) {
                    if (!present(values, used.group(1).split("\\."))) {
                        missing.add(template.getFileName() + ": " + used.group(1));
                    }
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat(map(yaml(DEPLOY.resolve("helm/relay/Chart.yaml")))).containsEntry("apiVersion", "v2")
                .containsEntry("name", "relay");
    }

    @Test
    void theImageRunsTheServersJarAsANonRootUserWithAHealthCheck() {
        String dockerfile = read(ROOT.resolve("Dockerfile"));
        String pom = read(ROOT.resolve("server/pom.xml"));

        assertThat(pom).contains("<outputFile>${project.build.directory}/relay-server.jar</outputFile>");
        assertThat(dockerfile).contains("COPY --from=build /src/server/target/relay-server.jar /opt/relay/relay-server.jar")
                .containsPattern("(?m)^USER relay$")
                .containsPattern("(?m)^ENTRYPOINT \\[\"java\", .*\"-jar\", \"/opt/relay/relay-server.jar\"]$")
                .contains("/health/live");
        Map<String, String> env = new HashMap<>();
        Matcher variable = Pattern.compile("(WS_[A-Z_]+)=(\\S+)").matcher(dockerfile);
        while (variable.find()) {
            env.put(variable.group(1), variable.group(2));
        }
        assertThat(env).containsKeys("WS_DATA_DIR", "WS_LOG_DIR");
        assertThat(ConfigLoader.unknownEnvironmentVariables(env)).isEmpty();
    }

    @Test
    void everyAlertHasAnExpressionADelayAndASummary() {
        List<Object> rules = list(map(list(yaml(DEPLOY.resolve("prometheus/relay-rules.yaml")).get("groups")).get(0))
                .get("rules"));

        assertThat(rules).hasSizeGreaterThanOrEqualTo(7);
        for (Object each : rules) {
            Map<String, Object> rule = map(each);
            assertThat(rule).as(String.valueOf(rule.get("alert"))).containsKeys("alert", "expr", "for");
            assertThat(map(rule.get("annotations"))).containsKey("summary");
        }
        // The three thresholds of Relay's own alerts (docs/operations.md) are the rules' too.
        assertThat(DeployFiles.promqlExpressions()).anyMatch(e -> e.contains("relay_connections / 10000 > 0.9"))
                .anyMatch(e -> e.endsWith("> 0.05\n")).anyMatch(e -> e.contains("> 0.85"));
    }

    @Test
    void everyDashboardPanelQueriesPrometheus() {
        JsonNode dashboard = DeployFiles.dashboard();

        assertThat(dashboard.path("uid").asText()).isEqualTo("relay-overview");
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(12);
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
        }
        assertThat(DeployFiles.metricNames(DeployFiles.promqlExpressions()))
                .contains("relay_connections", "relay_fanout_deliveries_total", "relay_delivery_latency_seconds_bucket",
                        "relay_ready", "jvm_memory_used_bytes");
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assumeTrue(onPath("promtool"), "promtool is not installed (Debian's prometheus package has it)");
        Process check = new ProcessBuilder("promtool", "check", "rules",
                DEPLOY.resolve("prometheus/relay-rules.yaml").toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
    }

    @Test
    void helmRendersEveryResourceOfTheChart() throws Exception {
        assumeTrue(onPath("helm"), "helm is not installed");
        Process render = new ProcessBuilder("helm", "template", "relay", DEPLOY.resolve("helm/relay").toString(),
                "--set", "jwtSecret=" + SECRET, "--set", "serviceMonitor.enabled=true", "--set", "ingress.enabled=true")
                .redirectErrorStream(true).start();
        String output = new String(render.getInputStream().readAllBytes());
        assertThat(render.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(render.exitValue()).as(output).isZero();
        Set<String> kinds = new TreeSet<>();
        for (Object document : new Yaml().loadAll(output)) {
            if (document != null) {
                kinds.add((String) map(document).get("kind"));
            }
        }
        assertThat(kinds).contains("ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler",
                "PodDisruptionBudget", "ServiceMonitor", "Ingress");
    }

    private static List<String> relayNodes(Map<String, Object> services) {
        return services.entrySet().stream()
                .filter(service -> "relay:latest".equals(map(service.getValue()).get("image")))
                .map(Map.Entry::getKey).sorted().toList();
    }

    private static boolean present(Map<String, Object> values, String[] path) {
        Object node = values;
        for (String part : path) {
            if (!(node instanceof Map<?, ?> level) || !level.containsKey(part)) {
                return false;
            }
            node = level.get(part);
        }
        return true;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
