package dev.relay.server.http;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.config.ConfigException;
import dev.relay.server.reload.ConfigReload;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code POST /ws/admin/reload} (admins; on the internal port with {@code internal_admin}): reads the configuration
 * file and environment again, off the event loop, and answers what was applied and what needs a restart. A
 * configuration that does not load changes nothing and is answered {@code invalid_config} with the reason.
 */
public final class ReloadApi {
    private final ConfigReload reload;
    private final Executor executor;
    private final HttpResponses responses;

    /** @param executor where the files are read (never an event loop) */
    public ReloadApi(ConfigReload reload, Executor executor, HttpResponses responses) {
        this.reload = reload;
        this.executor = executor;
        this.responses = responses;
    }

    List<Route> routes() {
        return List.of(Route.of(HttpMethod.POST, "/ws/admin/reload", true, this::reload));
    }

    private void reload(RestCall call) {
        if (!call.identity().isAdmin()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only admins may reload the configuration");
        }
        if (!reload.available()) {
            throw new ProtocolException(ErrorCode.FEATURE_DISABLED, "this server was started without a configuration"
                    + " file or environment to read again (embedded); reload it through WebSocketService");
        }
        CompletableFuture.supplyAsync(reload::reload, executor).whenComplete((outcome, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof ConfigException refused) {
                    responses.error(call.ctx(), call.keepAlive(), ErrorCode.INVALID_CONFIG,
                            refused.getMessage() + "; nothing was changed");
                } else {
                    responses.error(call.ctx(), call.keepAlive(), ErrorCode.INTERNAL_ERROR, "reload failed");
                }
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("applied", outcome.applied());
            data.put("restart_required", outcome.restartRequired());
            responses.ok(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, data);
        });
    }
}
