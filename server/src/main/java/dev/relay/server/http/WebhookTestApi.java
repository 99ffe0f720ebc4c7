package dev.relay.server.http;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code POST /ws/webhooks/test} (admins): a signed test event to every configured webhook, answered with what each
 * said. The POSTs run off the event loop; the answer is written when the last one has answered or timed out.
 */
public final class WebhookTestApi {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookTestApi.class);

    private final Supplier<CompletableFuture<List<Map<String, Object>>>> test;
    private final HttpResponses responses;

    /** @param test sends the test event to each webhook, completing with one JSON-ready answer each */
    public WebhookTestApi(Supplier<CompletableFuture<List<Map<String, Object>>>> test, HttpResponses responses) {
        this.test = test;
        this.responses = responses;
    }

    List<Route> routes() {
        return List.of(Route.of(HttpMethod.POST, "/ws/webhooks/test", true, this::test));
    }

    private void test(RestCall call) {
        if (!call.identity().isAdmin()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only admins may test the webhooks");
        }
        test.get().whenComplete((answers, failure) -> {
            if (failure != null) {
                LOG.error("event=rest_error path={}", call.path(), failure);
                responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "internal error");
                return;
            }
            LOG.info("event=webhooks_tested by={} webhooks={}", call.identity().userId(), answers.size());
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, Map.of("webhooks", answers));
        });
    }
}
