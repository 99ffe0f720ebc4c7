package dev.relay.server.cli;

import dev.relay.server.config.DefaultConfigFile;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code defaultconfig}: prints a commented YAML file with every key at its default. */
@Command(name = "defaultconfig", mixinStandardHelpOptions = true,
        description = {"Print a configuration file with every key at its default, each with a comment saying what it "
                + "does and which WS_* variable sets it: relay defaultconfig > relay.yaml"})
final class DefaultConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(DefaultConfigFile.render());
        return 0;
    }
}
