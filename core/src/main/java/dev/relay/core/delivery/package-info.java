/**
 * Fan-out: audiences sharded by the executor that owns each connection, and a lane per executor that batches
 * writes and flushes each connection once per batch. Encoded frames are shared, never copied per recipient.
 */
package dev.relay.core.delivery;
