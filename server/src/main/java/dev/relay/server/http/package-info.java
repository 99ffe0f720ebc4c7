/** The REST API under {@code /ws/}: routing, handlers and the seed's response envelope. */
package dev.relay.server.http;
