package dev.relay.server.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (absent when running from classes). */
final class Version implements CommandLine.IVersionProvider {
    static String current() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"Relay " + current()};
    }
}
