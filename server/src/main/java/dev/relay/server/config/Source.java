package dev.relay.server.config;

import java.nio.file.Path;

/** Where a value came from, as error messages name it: "in relay.yaml, line 3", "from WS_PORT", "from command line". */
record Source(String description) {
    static final Source DEFAULT = new Source("default");
    static final Source COMMAND_LINE = new Source("from command line");

    static Source file(Path file, int line) {
        return new Source("in " + file + ", line " + line);
    }

    static Source environment(String variable) {
        return new Source("from " + variable);
    }

    @Override
    public String toString() {
        return description;
    }
}
