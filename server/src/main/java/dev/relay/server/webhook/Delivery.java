package dev.relay.server.webhook;

/**
 * One batch on its way to one webhook: the body is made once, so every try sends (and signs) the same bytes.
 *
 * @param id       the delivery id ({@code id} of the body, {@code X-Relay-Delivery}); the same on every try
 * @param attempts tries made so far
 */
record Delivery(String id, byte[] body, int attempts) {
    Delivery tried() {
        return new Delivery(id, body, attempts + 1);
    }
}
