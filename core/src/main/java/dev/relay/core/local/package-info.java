/**
 * The in-process client: server-side code (a bot, the system) speaking as a named user through the same session,
 * policies, acks, history and persistence as a socket client, without a socket. {@link
 * dev.relay.core.local.LocalClient} owns a {@link dev.relay.core.delivery.Connection} that is not a socket: what the
 * hub writes to it is read back by a {@link dev.relay.core.local.FrameReader} the transport supplies (the core cannot
 * read its own encoded frames) and handed to the client's handler on a thread of its own.
 */
package dev.relay.core.local;
