package dev.relay.server.cli;

import dev.relay.server.config.ConfigException;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.EffectiveSetting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code checkconfig FILE}: validates a configuration as the server would and prints what it would use. */
@Command(name = "checkconfig", mixinStandardHelpOptions = true,
        description = {"Validate a configuration file together with the WS_* environment and --set values, exactly as "
                + "the server would at startup, and print every key's effective value and where it came from "
                + "(secrets hidden). Exit status 0 when the server would start with it, 2 with the reason otherwise."})
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "YAML file with a 'websocket:' section; omit to check the environment and --set alone.")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set a key as the server's --set would.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--changed", description = "Print only the keys that differ from their defaults.")
    boolean changedOnly;

    @Override
    public Integer call() {
        List<EffectiveSetting> effective;
        try {
            effective = ConfigLoader.effective(file, System.getenv(), settings);
        } catch (ConfigException e) {
            System.err.println("checkconfig: " + e.getMessage());
            return Main.CONFIG_ERROR;
        }
        ConfigLoader.unknownEnvironmentVariables(System.getenv())
                .forEach(warning -> System.err.println("checkconfig: warning: " + warning));
        int width = effective.stream().mapToInt(setting -> setting.key().length()).max().orElse(0);
        for (EffectiveSetting setting : effective) {
            if (!changedOnly || !setting.source().equals("default")) {
                System.out.printf("%-" + width + "s = %s  (%s)%n", setting.key(), setting.value(), setting.source());
            }
        }
        System.err.println("checkconfig: OK" + (file == null ? "" : ", " + file));
        return 0;
    }
}
