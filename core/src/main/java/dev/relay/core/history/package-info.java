/**
 * Room streams: positions ({@code epoch} + {@code seq}) and the {@link dev.relay.core.history.HistoryStore} that
 * keeps recent messages for clients that resume after a disconnect.
 */
package dev.relay.core.history;
