package dev.relay.server.config;

import dev.relay.core.policy.ContentFilter;
import dev.relay.server.access.Cidr;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * Abuse limits and content rules beyond the basic security settings.
 *
 * @param restRateLimitPerMinute REST requests per minute per user; 0 turns the limit off
 * @param filterWords            the message filter's words: filter_words plus the lines of filter_words_file
 * @param filterAction           what the filter does with a match
 * @param maxConnectionsPerUser  concurrent connections per user id; 0 is no limit
 * @param maxConnectionsPerIp    concurrent connections per client address; 0 is no limit
 * @param maxConnectsPerIpPerMinute new connections per client address per minute; 0 is no limit
 * @param trustedProxies         peers whose Forwarded / X-Forwarded-For headers name the client
 * @param createRoomRoles        roles that may create rooms ({@code *}: everyone)
 * @param broadcastRoles         roles that may broadcast
 * @param privateMessageRoles    roles that may send private messages
 * @param deleteRoomRoles        roles that may delete rooms
 * @param moderatorRoles         roles that may delete other users' messages ({@code delete_message})
 * @param geoDatabase            the country database, when the geo restriction is used
 * @param geoAllowedCountries    when not empty, the only countries clients may come from
 * @param geoDeniedCountries     countries always refused
 */
public record PolicyConfig(int restRateLimitPerMinute, List<String> filterWords, ContentFilter.Action filterAction,
                           int maxConnectionsPerUser, int maxConnectionsPerIp, int maxConnectsPerIpPerMinute,
                           List<Cidr> trustedProxies, List<String> createRoomRoles, List<String> broadcastRoles,
                           List<String> privateMessageRoles, Optional<Path> geoDatabase,
                           List<String> geoAllowedCountries, List<String> geoDeniedCountries,
                           List<String> deleteRoomRoles, List<String> moderatorRoles) {
    public PolicyConfig {
        moderatorRoles = List.copyOf(moderatorRoles);
        createRoomRoles = List.copyOf(createRoomRoles);
        broadcastRoles = List.copyOf(broadcastRoles);
        privateMessageRoles = List.copyOf(privateMessageRoles);
        geoAllowedCountries = List.copyOf(geoAllowedCountries);
        geoDeniedCountries = List.copyOf(geoDeniedCountries);
        deleteRoomRoles = List.copyOf(deleteRoomRoles);
        trustedProxies = List.copyOf(trustedProxies);
        filterWords = List.copyOf(filterWords);
        Objects.requireNonNull(filterAction, "filterAction");
    }
}
