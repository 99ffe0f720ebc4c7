package dev.relay.server.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.event.EventListener;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.config.WebhookConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The configured webhooks of this node: one {@link EventListener} each for the event stream, the test that
 * {@code POST /ws/webhooks/test} runs, and the threads and spools behind them. With message persistence on, each
 * webhook spools its pending deliveries under {@code data_dir/webhooks/} (docs/integrations.md says why a file).
 */
public final class Webhooks implements AutoCloseable {
    /** The directory under data_dir that holds the spools. */
    static final String SPOOL_DIRECTORY = "webhooks";

    private final List<WebhookConfig> hooks;
    private final List<WebhookDispatcher> dispatchers = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    /** Built on first use, so a server without webhooks starts no selector thread for them. */
    private HttpClient client;
    private boolean closed;
    private final WebhookSender sender;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-webhook-retries");
        thread.setDaemon(true);
        return thread;
    });
    private final ObjectMapper mapper = new ObjectMapper();
    private final Clock clock;

    private Webhooks(RelayConfig config, MeterRegistry registry, Clock clock) {
        this.hooks = config.integrations().webhooks();
        this.clock = clock;
        this.sender = new WebhookSender(this::client, clock);
        boolean spooled = config.messages().enableMessagePersistence();
        Set<String> spoolNames = new HashSet<>();
        for (int i = 0; i < hooks.size(); i++) {
            WebhookConfig hook = hooks.get(i);
            String label = label(hook.url());
            labels.add(label);
            Spool spool = spooled ? FileSpool.open(spoolFile(config.server().dataDir(), hook, spoolNames), mapper)
                    : Spool.NONE;
            dispatchers.add(new WebhookDispatcher("webhook-" + i, label, hook,
                    new WebhookBodies(mapper, hook.pusherCompatible()), sender, spool, retries, clock, registry));
        }
    }

    /** Opens the spools (with persistence on) and sends what they held; the listeners take events from now on. */
    public static Webhooks start(RelayConfig config, MeterRegistry registry, Clock clock) {
        Webhooks webhooks = new Webhooks(config, registry, clock);
        webhooks.dispatchers.forEach(WebhookDispatcher::start);
        return webhooks;
    }

    /** One listener per webhook, for {@code EventStream}. */
    public List<EventListener> listeners() {
        return List.copyOf(dispatchers);
    }

    /**
     * Sends one signed {@code webhook_test} event to every webhook, once each, in parallel and off the caller's
     * thread; completes with {@code [{"url", "status"}]} or {@code [{"url", "error"}]} in the configured order.
     */
    public CompletableFuture<List<Map<String, Object>>> test() {
        List<CompletableFuture<Map<String, Object>>> answers = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            WebhookConfig hook = hooks.get(i);
            String label = labels.get(i);
            answers.add(CompletableFuture.supplyAsync(() -> testOne(hook, label), threads));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> answers.stream().map(CompletableFuture::join).toList());
    }

    private Map<String, Object> testOne(WebhookConfig hook, String label) {
        String id = "test-" + UUID.randomUUID();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("name", "webhook_test");
        event.put("timestamp", clock.instant().toString());
        byte[] body = new WebhookBodies(mapper, hook.pusherCompatible()).body(id, clock.millis(), List.of(event));
        WebhookSender.Attempt attempt = sender.post(hook, id, body);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("url", label);
        answer.put("delivery", id);
        if (attempt.status() > 0) {
            answer.put("status", attempt.status());
            answer.put("delivered", attempt.delivered());
        } else {
            answer.put("delivered", false);
            answer.put("error", attempt.error());
        }
        return answer;
    }

    /** The URL without its query or user info, which may carry a token: how logs and metrics name a webhook. */
    static String label(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath());
    }

    /** Named after the URL, so reordering the list keeps each webhook's spool; a repeated URL gets a suffix. */
    private static Path spoolFile(Path dataDir, WebhookConfig hook, Set<String> taken) {
        String base;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(hook.url().toString().getBytes(StandardCharsets.UTF_8));
            base = HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        String name = base;
        for (int n = 2; !taken.add(name); n++) {
            name = base + "-" + n;
        }
        return dataDir.resolve(SPOOL_DIRECTORY).resolve(name + ".spool");
    }

    private synchronized HttpClient client() {
        if (client == null) {
            if (closed) {
                throw new IllegalStateException("webhooks closed");
            }
            client = HttpClient.newBuilder().executor(threads).connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return client;
    }

    /** Stops every webhook (what is pending stays in the spools), then the scheduler, the client and its threads. */
    @Override
    public void close() {
        dispatchers.forEach(WebhookDispatcher::close);
        retries.shutdownNow();
        synchronized (this) {
            closed = true;
            if (client != null) {
                client.shutdownNow();
            }
        }
        threads.shutdownNow();
    }
}
