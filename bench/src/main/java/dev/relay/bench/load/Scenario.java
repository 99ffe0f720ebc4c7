package dev.relay.bench.load;

/** The load shapes, each with the defaults it runs with when an option is not given. */
public enum Scenario {
    FANOUT("N subscribers in one room, P publishers: deliveries/s, latency, lost and duplicated messages",
            500, 1, 0, 64),
    ROOMS("N clients in K rooms, all chatting at a fixed total rate", 1000, 0, 10_000, 64),
    PRIVATE("pairs of clients exchanging private messages at a fixed total rate", 200, 0, 2_000, 64),
    CONNECT("authenticated handshakes per second and handshake latency", 5000, 0, 0, 0),
    IDLE("M idle connections held open: server RSS (and heap, for a JVM) per connection", 10_000, 0, 0, 0),
    CLUSTER("fanout over several nodes (--nodes): subscribers and publishers spread over them, one room", 500, 2, 0,
            64);

    private final String description;
    final int defaultClients;
    /** Publishers by default; 0 for rooms and private means every client publishes. */
    final int defaultPublishers;
    final double defaultRate;
    final int defaultWindow;

    Scenario(String description, int defaultClients, int defaultPublishers, double defaultRate, int defaultWindow) {
        this.description = description;
        this.defaultClients = defaultClients;
        this.defaultPublishers = defaultPublishers;
        this.defaultRate = defaultRate;
        this.defaultWindow = defaultWindow;
    }

    public String description() {
        return description;
    }

    public String command() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean publishes() {
        return this == FANOUT || this == ROOMS || this == PRIVATE || this == CLUSTER;
    }
}
