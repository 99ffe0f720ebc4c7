/** Rules a message or an actor must satisfy: validation, permissions, rate limits. Each testable alone. */
package dev.relay.core.policy;
