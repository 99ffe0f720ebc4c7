package dev.relay.bench;

import dev.relay.bench.load.LoadCommand;
import dev.relay.bench.load.Scenario;
import dev.relay.bench.raw.RawBroadcastServer;
import dev.relay.bench.report.CompareReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench SCENARIO [options]}, {@code bench raw-server}, {@code bench report}, {@code bench jmh}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Relay's load generator, raw Netty reference server and benchmark reports.",
        subcommands = {RawBroadcastServer.class, CompareReport.class})
public final class BenchMain implements Runnable {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            org.openjdk.jmh.Main.main(rest);
            return;
        }
        System.exit(commandLine().execute(args));
    }

    /** The command tree; tests parse with it. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BenchMain());
        for (Scenario scenario : Scenario.values()) {
            CommandLine sub = new CommandLine(new LoadCommand(scenario, System.getenv()));
            sub.getCommandSpec().usageMessage().description(scenario.description());
            cli.addSubcommand(scenario.command(), sub);
        }
        return cli;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
        System.out.println("\nScenarios: fanout, rooms, private, connect, idle (bench SCENARIO --help); "
                + "JMH: bench jmh [JMH options]");
    }
}
