package dev.relay.core;

import dev.relay.core.policy.ContentFilter;

import java.util.Objects;

/**
 * The settings of a running hub an operator may change without a restart (a configuration reload): the content
 * filter, read for every message, and the rate limit, given to each connection when it opens (open connections keep
 * the bucket they have). Everything else about a hub is fixed when it is built.
 */
public final class LiveSettings {
    private volatile ContentFilter contentFilter;
    private volatile int rateLimitPerMinute;

    LiveSettings(ContentFilter contentFilter, int rateLimitPerMinute) {
        this.contentFilter = Objects.requireNonNull(contentFilter, "contentFilter");
        setRateLimitPerMinute(rateLimitPerMinute);
    }

    public ContentFilter contentFilter() {
        return contentFilter;
    }

    public void replaceContentFilter(ContentFilter filter) {
        this.contentFilter = Objects.requireNonNull(filter, "filter");
    }

    /** Messages per minute a new connection may send; 0 is no limit. */
    public int rateLimitPerMinute() {
        return rateLimitPerMinute;
    }

    public void setRateLimitPerMinute(int perMinute) {
        if (perMinute < 0) {
            throw new IllegalArgumentException("rateLimitPerMinute is 0 (off) or positive");
        }
        this.rateLimitPerMinute = perMinute;
    }
}
