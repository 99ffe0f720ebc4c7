package dev.relay.server.assistant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Cancels;
import dev.relay.core.Hub;
import dev.relay.core.event.EventListener;
import dev.relay.core.event.RelayEvent;
import dev.relay.core.identity.Identity;
import dev.relay.core.local.LocalClients;
import dev.relay.core.local.LocalSender;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.store.MessageStore;
import dev.relay.server.config.AssistantConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The assistant: hears questions on the event stream, answers each through the model on a virtual thread of its own
 * and grows the answer in place. Made before the hub (the hub needs it as an event listener and as its
 * {@link Cancels}) and started once the hub exists ({@link #start}); events before that are not questions yet.
 *
 * <p>A question: a {@code room_message} in an allowed room whose content contains the trigger, or a
 * {@code private_message} to the assistant's user id; never the assistant's own. In a cluster only the node that
 * accepted the message hears its event, so exactly one node answers. The limits are decided here, on the event's
 * thread: over {@code assistant_rate_per_user} the asker gets {@code rate_limited} with {@code retry_after_ms}, over
 * {@code assistant_max_concurrent} {@code busy}, both as {@code error} frames on their connections on this node.
 */
public final class Assistant implements EventListener, Cancels, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Assistant.class);
    /** How often the model server is asked whether it answers, for the assistant's presence. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(15);

    private final AssistantConfig config;
    private final Identity identity;
    private final RoomPatterns rooms;
    private final int maxLength;
    private final ObjectMapper json;
    private final ModelClient model;
    private final HttpClient http;
    private final Slots slots;
    private final AssistantStats stats;
    private final KeyedRateLimits rates;
    private final Prompts prompts;
    private final ConcurrentHashMap<String, Reply> replies = new ConcurrentHashMap<>();
    /** One virtual thread per answer; how many run at once is bounded by the slots, not by this executor. */
    private final ExecutorService answers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("relay-assistant-timer").factory());
    private volatile Started started;

    /** What exists only once the hub does. */
    private record Started(Hub hub, LocalSender sender, MessageStore store, Availability availability) {
    }

    /** @param maxLength the server's {@code max_message_length}: an answer is cut there */
    public Assistant(AssistantConfig config, int maxLength, ObjectMapper json) {
        this.config = config;
        this.identity = new Identity(config.userId(), config.name(), Set.of());
        this.rooms = RoomPatterns.of(config.rooms());
        this.maxLength = maxLength;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(min(config.timeout(), Duration.ofSeconds(10))).build();
        this.model = new ModelClient(http, json, config.baseUrl().orElseThrow(), config.apiKey(),
                config.model().orElseThrow(), config.maxTokens());
        this.slots = new Slots(config.maxConcurrent());
        this.stats = new AssistantStats(slots);
        this.rates = new KeyedRateLimits(config.ratePerUser(), System::nanoTime, "questions to the assistant");
        this.prompts = new Prompts(config, identity.userId());
    }

    /** A duration as the configuration may write it: whole seconds as {@code 60s}, anything else as {@code 1500ms}. */
    static final class Durations {
        private Durations() {
        }

        static String text(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** Starts answering and looks for the model server, to come online when it answers. Call once. */
    public void start(Hub hub, LocalClients local, MessageStore store) {
        Availability availability = new Availability(hub, local, identity, rooms,
                () -> model.reachable(min(config.timeout(), Duration.ofSeconds(5))));
        this.started = new Started(hub, local.sender(identity), store, availability);
        timers.scheduleWithFixedDelay(() -> answers.execute(availability::check), 0, PROBE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public AssistantStats stats() {
        return stats;
    }

    /** The assistant's user id. */
    public String userId() {
        return identity.userId();
    }

    /** Whether it is online (its endpoint answered the last probe). */
    public boolean online() {
        Started s = started;
        return s != null && s.availability().online();
    }

    @Override
    public String name() {
        return "assistant";
    }

    @Override
    public void onEvent(RelayEvent event) {
        Started s = started;
        if (s == null) {
            return;
        }
        switch (event) {
            case RelayEvent.RoomMessage m when !m.userId().equals(identity.userId()) && m.content() != null
                    && rooms.matches(m.roomId()) && m.content().contains(config.trigger()) ->
                    ask(s, new Question(m.messageId(), m.userId(), m.roomId(), m.epoch(), m.seq(),
                            m.content().replace(config.trigger(), " ").strip(), m.at()));
            case RelayEvent.PrivateMessage m when identity.userId().equals(m.to())
                    && !m.userId().equals(identity.userId()) && m.content() != null ->
                    ask(s, new Question(m.messageId(), m.userId(), null, null, 0, m.content().strip(), m.at()));
            case RelayEvent.RoomCreated created -> s.availability().roomCreated(created.roomId());
            default -> {
            }
        }
    }

    /** The limits, then the answer on a thread of its own. */
    private void ask(Started s, Question question) {
        try {
            rates.acquire(question.asker());
        } catch (ProtocolException limited) {
            stats.refusal("rate_limited");
            s.hub().sendError(question.asker(), limited);
            return;
        }
        if (!slots.take(question.place())) {
            stats.refusal("busy");
            s.hub().sendError(question.asker(), new ProtocolException(ErrorCode.BUSY, "the assistant is answering "
                    + slots.max() + " questions already; ask again in a moment"));
            return;
        }
        try {
            answers.execute(() -> {
                try {
                    answer(s, question);
                } catch (RuntimeException failed) {
                    LOG.error("event=assistant_failed message_id={}", question.messageId(), failed);
                } finally {
                    slots.give(question.place());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            slots.give(question.place());
        }
    }

    /** On the answer's virtual thread: the empty reply, then the model's text as it comes, then the end. */
    private void answer(Started s, Question question) {
        String replyId;
        try {
            replyId = placeholder(s, question);
        } catch (RuntimeException refused) {
            // Not a member of the room, not online for private messages, the store full: nothing to update.
            Throwable cause = refused.getCause() instanceof ProtocolException p ? p : refused;
            LOG.warn("event=assistant_not_answering message_id={} reason=\"{}\"", question.messageId(),
                    cause.getMessage());
            stats.refusal("unavailable");
            s.hub().sendError(question.asker(), new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "the assistant cannot answer here now"));
            return;
        }
        Reply reply = new Reply(replyId, question, maxLength);
        replies.put(replyId, reply);
        Reply.Updater updater = (r, text, state, reason, last) -> update(s, r, text, state, reason, last);
        try {
            Prompts.Plan plan = prompts.plan(question, s.store());
            if (plan.answer() != null) { // /help: no model call
                reply.append(plan.answer());
                reply.finish(updater, Outcome.DONE);
                stats.answered(Outcome.DONE);
                return;
            }
            long interval = Math.max(1, config.updateInterval().toMillis());
            reply.timers(timers.scheduleWithFixedDelay(() -> reply.tick(updater), interval, interval,
                            TimeUnit.MILLISECONDS),
                    timers.schedule(reply::timeOut, config.timeout().toMillis(), TimeUnit.MILLISECONDS));
            Outcome outcome = model.stream(plan.turns(), reply::append, reply.call);
            if (reply.timedOut()) {
                outcome = Outcome.error("the model did not finish within " + Durations.text(config.timeout()));
            }
            if (outcome.isError()) {
                stats.upstreamError();
                LOG.warn("event=assistant_upstream_error message_id={} reason=\"{}\"", replyId, outcome.reason());
            }
            reply.finish(updater, outcome);
            stats.answered(outcome);
        } catch (RuntimeException failed) {
            // The context could not be read (the database away), or a bug: the reply must not stay "streaming".
            Outcome broken = Outcome.error("the assistant could not answer (" + failed.getClass().getSimpleName() + ")");
            reply.finish(updater, broken);
            stats.answered(broken);
            throw failed;
        } finally {
            replies.remove(replyId);
        }
    }

    /** The reply's first form: an ordinary message with empty content, marked as streaming. */
    private String placeholder(Started s, Question question) {
        RawJson data = streamData(question.messageId(), "streaming", null);
        ClientMessage message = question.inRoom()
                ? new ClientMessage(MessageType.ROOM_MESSAGE, null, "", question.roomId(), null, data)
                : new ClientMessage(MessageType.PRIVATE_MESSAGE, null, "", null, question.asker(), data);
        return s.sender().send(message).join().id();
    }

    private void update(Started s, Reply reply, String text, String state, String reason, boolean last) {
        RawJson data = streamData(reply.question.messageId(), state, reason);
        try {
            send(s, reply, text, data, last);
        } catch (ProtocolException refused) {
            if (!last) {
                return; // a step the filter refuses is skipped; the last one says why
            }
            send(s, reply, "", streamData(reply.question.messageId(), "error",
                    refused.code() == ErrorCode.FILTERED ? "the answer was withheld by the content filter"
                            : refused.getMessage()), true);
        }
    }

    private void send(Started s, Reply reply, String text, RawJson data, boolean keep) {
        Question q = reply.question;
        if (q.inRoom()) {
            s.hub().updates().inRoom(identity, reply.id, q.roomId(), text, data, keep);
        } else {
            s.hub().updates().inConversation(identity, reply.id, q.asker(), text, data, keep);
        }
    }

    /** {@code {"stream":{"state":..., "reply_to":..., "error":...}}}. */
    private RawJson streamData(String replyTo, String state, String reason) {
        ObjectNode data = json.createObjectNode();
        ObjectNode stream = data.putObject("stream");
        stream.put("state", state);
        stream.put("reply_to", replyTo);
        if (reason != null) {
            stream.put("error", reason);
        }
        return new RawJson(data.toString());
    }

    /** A {@code cancel} naming one of the answers being generated here. */
    @Override
    public boolean cancel(Identity who, String replyId) {
        Reply reply = replies.get(replyId);
        if (reply == null) {
            return false;
        }
        reply.checkMayCancel(who.userId(), who.isAdmin());
        reply.call.abort(); // the generating thread sees the stream end and finishes with "cancelled"
        return true;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        replies.values().forEach(reply -> reply.call.abort());
        answers.shutdown();
        try {
            answers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Started s = started;
        if (s != null) {
            s.availability().close();
        }
        http.close();
    }
}
