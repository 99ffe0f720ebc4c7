package dev.relay.server.stomp;

/**
 * A frame the hub has not answered yet, by the id Relay gave the message it became: the client's {@code receipt}
 * to answer once the hub accepts it (null: none asked), and the subscription a refused join takes back.
 */
record Pending(String receipt, String subscriptionId) {
}
