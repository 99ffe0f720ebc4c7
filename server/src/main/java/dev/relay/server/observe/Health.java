package dev.relay.server.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness. Live while the process answers. Ready only between start and shutdown, while below
 * max_connections, and while every registered check (an engine such as Redis or a database, once there is one)
 * passes; when not ready it says why, so a load balancer sends new connections elsewhere and an operator knows why.
 */
public final class Health {
    public static final String STARTING = "starting";
    public static final String SHUTTING_DOWN = "shutting_down";
    public static final String CONNECTION_LIMIT = "connection_limit_reached";

    /** A dependency readiness depends on; answers the reason it is not usable, or empty when it is. */
    @FunctionalInterface
    public interface Check {
        Optional<String> problem();
    }

    /** Readiness with the reasons it is withheld (none when ready). */
    public record Readiness(boolean ready, List<String> reasons) {
    }

    private enum State { STARTING, SERVING, STOPPING }

    private volatile State state = State.STARTING;
    private final BooleanSupplier atConnectionLimit;
    private final List<Check> checks = new CopyOnWriteArrayList<>();

    Health(BooleanSupplier atConnectionLimit) {
        this.atConnectionLimit = atConnectionLimit;
    }

    /** Adds a dependency to readiness. */
    public void addCheck(Check check) {
        checks.add(check);
    }

    void serving() {
        if (state == State.STARTING) {
            state = State.SERVING;
        }
    }

    void stopping() {
        state = State.STOPPING;
    }

    public Readiness readiness() {
        List<String> reasons = new ArrayList<>();
        switch (state) {
            case STARTING -> reasons.add(STARTING);
            case STOPPING -> reasons.add(SHUTTING_DOWN);
            case SERVING -> {
            }
        }
        if (atConnectionLimit.getAsBoolean()) {
            reasons.add(CONNECTION_LIMIT);
        }
        for (Check check : checks) {
            check.problem().ifPresent(reasons::add);
        }
        return new Readiness(reasons.isEmpty(), List.copyOf(reasons));
    }
}
