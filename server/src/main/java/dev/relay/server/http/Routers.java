package dev.relay.server.http;

import dev.relay.server.auth.JwtVerifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which routes each port serves. Without an internal port, the public port serves everything. With one, metrics
 * and health move there, and so do the admin-only routes when {@code adminInternal}.
 *
 * @param internal present when an internal port is configured
 */
public record Routers(Router main, Optional<Router> internal) {

    public static Routers of(RestApi api, HistoryApi history, OpsApi ops, AdminApi admin, AnalyticsApi analytics,
                             ReloadApi reload, WebhookTestApi webhooks, boolean separateInternal,
                             boolean adminInternal, JwtVerifier verifier, HttpResponses responses,
                             RequestEvents events) {
        List<Route> main = new ArrayList<>(api.routes());
        main.addAll(new DocsApi(responses).routes());
        main.addAll(history.routes());
        main.addAll(analytics.routes()); // on the public port: members read their own room's figures
        main.addAll(admin.userRoutes());
        if (!separateInternal) {
            main.addAll(admin.adminRoutes());
            main.addAll(reload.routes());
            main.addAll(webhooks.routes());
            main.addAll(ops.routes());
            return new Routers(new Router(main, verifier, responses, events), Optional.empty());
        }
        List<Route> internal = new ArrayList<>(ops.routes());
        (adminInternal ? internal : main).addAll(admin.adminRoutes());
        (adminInternal ? internal : main).addAll(reload.routes());
        (adminInternal ? internal : main).addAll(webhooks.routes());
        return new Routers(new Router(main, verifier, responses, events),
                Optional.of(new Router(internal, verifier, responses, events)));
    }
}
