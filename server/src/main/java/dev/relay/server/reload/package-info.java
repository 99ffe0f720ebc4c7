/**
 * Configuration reload without a restart ({@code SIGHUP}, {@code POST /ws/admin/reload}): the file and the
 * environment read again, what can change live applied, the rest reported as needing a restart.
 */
package dev.relay.server.reload;
