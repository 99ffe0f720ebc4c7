/**
 * Signed webhooks: the hub's events, filtered per webhook, batched, signed with HMAC-SHA256 and POSTed to the
 * application's server off the event loops, retried with backoff, and with persistence on kept in a per-node spool
 * until delivered (docs/integrations.md).
 */
package dev.relay.server.webhook;
