package dev.relay.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /health/live}, {@code /health/ready} (JSON, outside the
 * envelope, as probes expect). None needs a token. A scrape runs on the operations executor, never on the event
 * loop that received it.
 */
public final class OpsApi {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(OpsApi.class);

    private final Supplier<String> scrape;
    private final Executor executor;
    private final Supplier<List<String>> notReadyBecause;
    private final HttpResponses responses;

    /**
     * @param scrape          the metrics in Prometheus' text format; called on {@code executor}
     * @param notReadyBecause why the server is not ready; empty when it is
     */
    public OpsApi(Supplier<String> scrape, Executor executor, Supplier<List<String>> notReadyBecause,
                  HttpResponses responses) {
        this.scrape = scrape;
        this.executor = executor;
        this.notReadyBecause = notReadyBecause;
        this.responses = responses;
    }

    List<Route> routes() {
        return List.of(
                Route.of(HttpMethod.GET, "/metrics", false, this::metrics),
                Route.of(HttpMethod.GET, "/health/live", false, this::live),
                Route.of(HttpMethod.GET, "/health/ready", false, this::ready));
    }

    private void metrics(RestCall call) {
        try {
            executor.execute(() -> {
                try {
                    byte[] text = scrape.get().getBytes(StandardCharsets.UTF_8);
                    responses.send(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, PROMETHEUS_TEXT, text);
                } catch (RuntimeException e) {
                    LOG.error("event=metrics_scrape_failed", e);
                    responses.send(call.ctx(), false, HttpResponseStatus.INTERNAL_SERVER_ERROR, PROMETHEUS_TEXT,
                            new byte[0]);
                }
            });
        } catch (RejectedExecutionException stopping) {
            responses.send(call.ctx(), false, HttpResponseStatus.SERVICE_UNAVAILABLE, PROMETHEUS_TEXT, new byte[0]);
        }
    }

    private void live(RestCall call) {
        responses.json(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, Map.of("status", "live"));
    }

    private void ready(RestCall call) {
        List<String> reasons = notReadyBecause.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reasons.isEmpty() ? "ready" : "not_ready");
        body.put("reasons", reasons);
        responses.json(call.ctx(), call.keepAlive(),
                reasons.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }
}
