package dev.relay.server.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The value types of the integration keys: the webhook list and the proxies' header allow lists. */
final class IntegrationTypes {
    /** RFC 9110's token characters, which is what a header name is made of. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private IntegrationTypes() {
    }

    static ValueType<List<WebhookConfig>> webhooks() {
        return new MappingList<>("list of webhooks", "webhook", WebhookConfig::read);
    }

    /** Header names, kept in lower case (HTTP/2 writes them so, and comparing them ignores case anyway). */
    static ValueType<List<String>> headerNames() {
        return new ValueTypes.ListOf<>("list of header names", "expected a list of HTTP header names like Cookie,"
                + " X-Tenant", text -> {
            if (!HEADER_NAME.matcher(text).matches()) {
                throw new BadValue(RawValue.quote(text) + " is not a header name");
            }
            return text.toLowerCase(Locale.ROOT);
        }, true);
    }
}
