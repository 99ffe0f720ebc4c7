package dev.relay.server.http;

import dev.relay.core.analytics.AnalyticsReport;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs analytics reports off the event loop, for {@link AnalyticsApi}; owned here, implemented by
 * {@code server.analytics.Analytics}, so the REST side does not depend on how analytics are wired.
 */
public interface AnalyticsReports {
    /**
     * The report's answer, computed on a reader thread; fails with a {@link dev.relay.core.protocol.ProtocolException}
     * ({@code feature_disabled} when analytics are off, {@code temporarily_unavailable} when too many wait).
     */
    <T> CompletableFuture<T> report(Function<AnalyticsReport, T> report);
}
