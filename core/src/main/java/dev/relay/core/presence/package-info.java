/** What rooms hear about their users: joins, leaves and status changes. */
package dev.relay.core.presence;
