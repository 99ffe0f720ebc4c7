package dev.relay.server.http;

import dev.relay.core.Hub;
import dev.relay.core.analytics.Period;
import dev.relay.core.analytics.Window;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The analytics endpoints: the overview and daily/weekly/monthly active users (admins), a room's figures (admins, and
 * the room's members for their own room), as JSON or, with {@code format=csv}, CSV. Who may ask is checked first
 * (403), then the parameters (400 {@code invalid_argument}); the store is read on the analytics readers, never on
 * the event loop.
 */
public final class AnalyticsApi {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyticsApi.class);

    private final Hub hub;
    private final AnalyticsReports analytics;
    private final HttpResponses responses;

    public AnalyticsApi(Hub hub, AnalyticsReports analytics, HttpResponses responses) {
        this.hub = hub;
        this.analytics = analytics;
        this.responses = responses;
    }

    /** Routes any authenticated user may call; each checks who may see what. */
    List<Route> routes() {
        return List.of(
                Route.of(HttpMethod.GET, "/ws/analytics/overview", true, this::overview),
                Route.of(HttpMethod.GET, "/ws/analytics/rooms/{id}", true, this::room),
                Route.of(HttpMethod.GET, "/ws/analytics/active-users", true, this::activeUsers));
    }

    private void overview(RestCall call) {
        requireAdmin(call, "only admins may see the analytics overview");
        Window window = window(call);
        boolean csv = csv(call);
        answer(call, analytics.report(report -> report.overview(window)), csv);
    }

    private void room(RestCall call) {
        String roomId = call.pathParameter("id");
        if (!call.identity().isAdmin() && !hub.queries().isMember(roomId, call.identity().userId())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "only admins and the room's members may see its analytics");
        }
        Window window = window(call);
        boolean csv = csv(call);
        answer(call, analytics.report(report -> report.room(roomId, window)), csv);
    }

    private void activeUsers(RestCall call) {
        requireAdmin(call, "only admins may see active users");
        String text = parameter(call, "period");
        Period period = text == null ? Period.DAY : Period.parse(text).orElseThrow(() -> new ProtocolException(
                ErrorCode.INVALID_ARGUMENT, "'period' must be day, week or month, not '" + text + "'"));
        boolean csv = csv(call);
        answer(call, analytics.report(report -> report.activeUsers(period)), csv);
    }

    private static void requireAdmin(RestCall call, String message) {
        if (!call.identity().isAdmin()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, message);
        }
    }

    private static Window window(RestCall call) {
        String text = parameter(call, "window");
        return text == null ? Window.DEFAULT : Window.parse(text).orElseThrow(() -> new ProtocolException(
                ErrorCode.INVALID_ARGUMENT, "'window' must be 5m, 1h, 24h, 7d or 30d, not '" + text + "'"));
    }

    private static boolean csv(RestCall call) {
        String format = parameter(call, "format");
        if (format == null || format.equals("json")) {
            return false;
        }
        if (format.equals("csv")) {
            return true;
        }
        throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "'format' must be json or csv, not '" + format + "'");
    }

    private static String parameter(RestCall call, String name) {
        List<String> values = call.query().parameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private void answer(RestCall call, CompletableFuture<Map<String, Object>> figures, boolean csv) {
        figures.whenComplete((data, failure) -> {
            if (failure != null) {
                fail(call, failure);
            } else if (csv) {
                responses.send(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, "text/csv; charset=utf-8",
                        AnalyticsCsv.of(data).getBytes(StandardCharsets.UTF_8));
            } else {
                responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
            }
        });
    }

    private void fail(RestCall call, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProtocolException refused) {
            responses.error(call.ctx(), call.keepAlive(), refused);
            return;
        }
        LOG.warn("event=analytics_read_failed path={} cause=\"{}\"", call.path(), cause.toString());
        responses.error(call.ctx(), call.keepAlive(), ErrorCode.TEMPORARILY_UNAVAILABLE,
                "the analytics cannot be read right now; retry later");
    }
}
