package dev.relay.bench.load;

import dev.relay.bench.BenchMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadCommandTest {
    private static final String SECRET = "a-secret-for-tests-of-at-least-32-bytes";

    private static LoadSettings parse(Scenario scenario, String... args) {
        LoadCommand command = new LoadCommand(scenario, Map.of("WS_JWT_SECRET", SECRET));
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Test
    void fanoutDefaultsAreShortAndBounded() {
        LoadSettings s = parse(Scenario.FANOUT);
        assertThat(s.target()).isEqualTo(Target.RELAY);
        assertThat(s.url()).isEqualTo(URI.create("ws://127.0.0.1:8080/ws/connect"));
        assertThat(s.clients()).isEqualTo(500);
        assertThat(s.publishers()).isEqualTo(1);
        assertThat(s.rate()).isZero();
        assertThat(s.window()).isEqualTo(64);
        assertThat(s.size()).isEqualTo(100);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.warmup()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.secret()).isEqualTo(SECRET);
        assertThat(s.sourceAddresses()).isEqualTo(1);
    }

    @Test
    void optionsOverrideTheDefaults() {
        LoadSettings s = parse(Scenario.FANOUT, "--target", "raw", "--url", "ws://127.0.0.1:9001/ws", "--clients",
                "200", "--publishers", "4", "--rate", "1.5k", "--size", "256", "--duration", "3s", "--server-pid",
                "42", "--json", "out.json", "--label", "gorilla");
        assertThat(s.target()).isEqualTo(Target.RAW);
        assertThat(s.port()).isEqualTo(9001);
        assertThat(s.clients()).isEqualTo(200);
        assertThat(s.publishers()).isEqualTo(4);
        assertThat(s.rate()).isEqualTo(1500);
        assertThat(s.size()).isEqualTo(256);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.serverPids()).containsExactly(42L);
        assertThat(s.label()).isEqualTo("gorilla");
    }

    @Test
    void idleSpreadsOverSourceAddressesPast28kConnections() {
        assertThat(parse(Scenario.IDLE, "--clients", "50000").sourceAddresses()).isEqualTo(2);
        assertThat(parse(Scenario.IDLE).duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Clients.sourceAddress(0, 1)).isNull();
        assertThat(Clients.sourceAddress(0, 2).getHostString()).isEqualTo("127.0.0.1");
        assertThat(Clients.sourceAddress(1, 2).getHostString()).isEqualTo("127.0.0.2");
        assertThat(Clients.sourceAddress(3, 2).getHostString()).isEqualTo("127.0.0.2");
    }

    @Test
    void warmupAndDrainMayBeZero() {
        assertThat(parse(Scenario.CONNECT, "--warmup", "0").warmup()).isZero();
        assertThat(parse(Scenario.FANOUT, "--warmup", "0s", "--drain", "500ms").drain()).isEqualTo(Duration.ofMillis(500));
        assertThat(parse(Scenario.FANOUT, "--warmup", "0s").warmup()).isZero();
    }

    @Test
    void ratesTakeSuffixes() {
        assertThat(LoadCommand.parseRate("2000")).isEqualTo(2000);
        assertThat(LoadCommand.parseRate("100k")).isEqualTo(100_000);
        assertThat(LoadCommand.parseRate("1.5M")).isEqualTo(1_500_000);
        assertThatThrownBy(() -> LoadCommand.parseRate("fast")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadCommand.parseRate("-1")).hasMessageContaining("--rate");
    }

    @Test
    void refusesWhatCannotRun() {
        assertThatThrownBy(() -> parse(Scenario.ROOMS, "--target", "raw")).hasMessageContaining("--target relay");
        assertThatThrownBy(() -> parse(Scenario.PRIVATE, "--clients", "3")).hasMessageContaining("even");
        assertThatThrownBy(() -> parse(Scenario.FANOUT, "--target", "nats")).hasMessageContaining("--target");
        assertThatThrownBy(() -> parse(Scenario.FANOUT, "--window", "0")).hasMessageContaining("--window");
        LoadCommand noSecret = new LoadCommand(Scenario.FANOUT, Map.of());
        new CommandLine(noSecret).parseArgs();
        assertThatThrownBy(noSecret::settings).hasMessageContaining("--secret");
    }

    @Test
    void everyScenarioIsACommand() {
        CommandLine cli = BenchMain.commandLine();
        for (Scenario scenario : Scenario.values()) {
            assertThat(cli.getSubcommands()).containsKey(scenario.command());
        }
        assertThat(cli.getSubcommands()).containsKeys("raw-server", "report");
    }

    @Test
    void deflateIsForTheIdleAndConnectScenariosOnly() {
        assertThat(parse(Scenario.IDLE, "--deflate").deflate()).isTrue();
        assertThat(parse(Scenario.CONNECT, "--deflate").deflate()).isTrue();
        assertThat(parse(Scenario.IDLE).deflate()).isFalse();
        assertThatThrownBy(() -> parse(Scenario.FANOUT, "--deflate"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--deflate");
    }
}
