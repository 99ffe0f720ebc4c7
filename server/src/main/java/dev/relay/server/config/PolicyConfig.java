package dev.relay.server.config;

import dev.relay.core.policy.ContentFilter;

import java.util.List;
import java.util.Objects;

/**
 * Abuse limits and content rules beyond the basic security settings.
 *
 * @param restRateLimitPerMinute REST requests per minute per user; 0 turns the limit off
 * @param filterWords            the message filter's words: filter_words plus the lines of filter_words_file
 * @param filterAction           what the filter does with a match
 */
public record PolicyConfig(int restRateLimitPerMinute, List<String> filterWords, ContentFilter.Action filterAction) {
    public PolicyConfig {
        filterWords = List.copyOf(filterWords);
        Objects.requireNonNull(filterAction, "filterAction");
    }
}
