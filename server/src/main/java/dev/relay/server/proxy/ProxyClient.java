package dev.relay.server.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.config.ProxyConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * POSTs a proxy call as JSON and reads the answer, asynchronously: no thread waits for the backend (the JDK client
 * completes the future on a virtual thread). Each call is timed ({@code relay_proxy_latency_seconds{proxy}}, a
 * histogram) and counted by outcome ({@code relay_proxy_calls_total{proxy,outcome}}: {@code accepted},
 * {@code refused}, {@code unavailable}, and {@code overloaded} for a connect call never sent because too many were
 * waiting).
 */
public final class ProxyClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyClient.class);
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    /**
     * Most bytes of one answer; a longer body is abandoned as it arrives and the backend counts as down. Every call
     * reads its whole answer into memory, so without it a misbehaving backend could hand each waiting upgrade or
     * message as much as it liked.
     */
    static final int MAX_ANSWER_BYTES = 1 << 20;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    /** Built on first use, so a server without proxies starts no selector thread for them. */
    private HttpClient client;
    private boolean closed;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final int maxAnswerBytes;

    public ProxyClient(ObjectMapper mapper, MeterRegistry registry) {
        this(mapper, registry, MAX_ANSWER_BYTES);
    }

    /** With another answer bound than {@link #MAX_ANSWER_BYTES}, so a test can reach it with a small body. */
    ProxyClient(ObjectMapper mapper, MeterRegistry registry, int maxAnswerBytes) {
        this.mapper = mapper;
        this.registry = registry;
        this.maxAnswerBytes = maxAnswerBytes;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            if (closed) {
                throw new IllegalStateException("proxy client closed");
            }
            client = HttpClient.newBuilder().executor(threads).connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return client;
    }

    /** POSTs {@code body} to the proxy's URL; never completes exceptionally. */
    CompletableFuture<ProxyAnswer> call(String proxy, ProxyConfig config, Map<String, Object> body) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(new ProxyAnswer.Unavailable("request not encodable"));
        }
        HttpRequest request = HttpRequest.newBuilder(config.url().orElseThrow())
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Relay-Proxy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = client().sendAsync(request, info -> new BoundedBody(maxAnswerBytes));
        } catch (IllegalStateException stopping) {
            sent = CompletableFuture.failedFuture(stopping);
        }
        return sent
                .handle((response, failure) -> {
                    ProxyAnswer answer = failure == null ? read(response) : unavailable(failure, config);
                    record(proxy, answer, System.nanoTime() - started);
                    if (answer instanceof ProxyAnswer.Unavailable down) {
                        LOG.warn("event=proxy_unavailable proxy={} url={} cause=\"{}\"", proxy,
                                config.url().orElseThrow(), down.reason());
                    }
                    return answer;
                });
    }

    private ProxyAnswer read(HttpResponse<byte[]> response) {
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            return new ProxyAnswer.Unavailable("status " + response.statusCode());
        }
        JsonNode body;
        try {
            body = mapper.readTree(response.body());
        } catch (java.io.IOException e) {
            return new ProxyAnswer.Unavailable("the answer is not JSON");
        }
        if (body != null && body.has("error") && body.get("error").isObject()) {
            JsonNode error = body.get("error");
            String code = error.path("code").asText("");
            if (code.isEmpty()) {
                return new ProxyAnswer.Unavailable("an error without a code");
            }
            return new ProxyAnswer.Refused(code, error.path("message").asText(code));
        }
        if (body != null && body.has("result")) {
            return new ProxyAnswer.Result(body.get("result"));
        }
        return new ProxyAnswer.Unavailable("the answer has neither result nor error");
    }

    private static ProxyAnswer unavailable(Throwable failure, ProxyConfig config) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        for (Throwable link = cause; link != null; link = link.getCause()) {
            if (link instanceof AnswerTooLarge tooLarge) {
                return new ProxyAnswer.Unavailable(tooLarge.getMessage());
            }
        }
        if (cause instanceof HttpTimeoutException) {
            return new ProxyAnswer.Unavailable("no answer within " + config.timeout().toMillis() + " ms");
        }
        return new ProxyAnswer.Unavailable(cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }

    private void record(String proxy, ProxyAnswer answer, long nanos) {
        latency.computeIfAbsent(proxy, name -> Timer.builder("relay.proxy.latency")
                .description("Time from a proxy call to its answer (or its failure), by proxy")
                .tag("proxy", name).serviceLevelObjectives(LATENCY_BUCKETS).register(registry))
                .record(Duration.ofNanos(nanos));
        count(proxy, switch (answer) {
            case ProxyAnswer.Result result -> "accepted";
            case ProxyAnswer.Refused refused -> "refused";
            case ProxyAnswer.Unavailable down -> "unavailable";
        });
    }

    /** A call refused before it was sent ({@code overloaded}: too many waiting already); no latency to record. */
    void countUnsent(String proxy, String outcome) {
        count(proxy, outcome);
    }

    private void count(String proxy, String outcome) {
        outcomes.computeIfAbsent(proxy + "/" + outcome, key -> Counter.builder("relay.proxy.calls")
                .description("Proxy calls by proxy and outcome").tag("proxy", proxy).tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** The answer's bytes, up to a bound: past it the rest is not read (the stream is cancelled) and the call fails. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
        private final int max;
        private Flow.Subscription subscription;
        private long seen;
        private boolean over;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return bytes.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            bytes.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (over) {
                return;
            }
            for (ByteBuffer item : items) {
                seen += item.remaining();
            }
            if (seen > max) {
                over = true;
                subscription.cancel();
                bytes.onError(new AnswerTooLarge(max));
                return;
            }
            bytes.onNext(items);
        }

        @Override
        public void onError(Throwable failure) {
            if (!over) {
                bytes.onError(failure);
            }
        }

        @Override
        public void onComplete() {
            if (!over) {
                bytes.onComplete();
            }
        }
    }

    private static final class AnswerTooLarge extends java.io.IOException {
        AnswerTooLarge(int max) {
            super("the answer is larger than " + max + " bytes");
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (client != null) {
                client.shutdownNow();
            }
        }
        threads.shutdownNow();
    }
}
