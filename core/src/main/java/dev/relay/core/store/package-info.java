/**
 * Keeping messages beyond memory: the sink the hub hands accepted messages to, so acks can wait for them to be kept.
 */
package dev.relay.core.store;
