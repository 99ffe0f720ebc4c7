package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;

/** What a proxy call came to: the backend's {@code result}, its {@code error}, or no usable answer. */
sealed interface ProxyAnswer {
    /** {@code {"result": ...}}: accepted; the value is what the backend put there (an object, or any JSON for rpc). */
    record Result(JsonNode result) implements ProxyAnswer {
    }

    /** {@code {"error": {"code", "message"}}}: refused by the backend, with its code. */
    record Refused(String code, String message) implements ProxyAnswer {
    }

    /** No answer in time, a non-2xx status, or a body that is neither: the backend counts as down. */
    record Unavailable(String reason) implements ProxyAnswer {
    }
}
