/**
 * Who a user is: the {@link dev.relay.core.identity.Identity} a token vouches for and the rule for a user id
 * ({@link dev.relay.core.identity.UserIds}). A leaf that depends on nothing, so sessions, rooms, policies and presence
 * can all speak of a user without depending on each other.
 */
package dev.relay.core.identity;
