/** Connections and users: who is connected, with which identity, in which rooms. */
package dev.relay.core.session;
