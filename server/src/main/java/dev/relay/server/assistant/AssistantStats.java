package dev.relay.server.assistant;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the assistant counts for metrics: answers by how they ended, questions refused by why. */
public final class AssistantStats {
    public static final String[] OUTCOMES = {"done", "error", "cancelled"};
    public static final String[] REFUSALS = {"rate_limited", "busy", "unavailable"};

    private final Map<String, LongAdder> answers = Map.of("done", new LongAdder(), "error", new LongAdder(),
            "cancelled", new LongAdder());
    private final Map<String, LongAdder> refused = Map.of("rate_limited", new LongAdder(), "busy", new LongAdder(),
            "unavailable", new LongAdder());
    private final LongAdder upstreamErrors = new LongAdder();
    private final Slots slots;

    AssistantStats(Slots slots) {
        this.slots = slots;
    }

    void answered(Outcome outcome) {
        answers.get(outcome.state()).increment();
    }

    void refusal(String why) {
        refused.get(why).increment();
    }

    void upstreamError() {
        upstreamErrors.increment();
    }

    public long answers(String outcome) {
        return answers.get(outcome).sum();
    }

    public long refused(String why) {
        return refused.get(why).sum();
    }

    /** Answers that ended in error because of the model server (4xx/5xx, timeouts, broken streams, unreachable). */
    public long upstreamErrors() {
        return upstreamErrors.sum();
    }

    public int active() {
        return slots.active();
    }
}
