/**
 * The JSON protocol codec: client messages decoded from frames and REST bodies, server messages encoded once into a
 * ready WebSocket frame for all recipients. Shared by the WebSocket transport, the REST API and the cluster link, so
 * it depends on none of them.
 */
package dev.relay.server.codec;
