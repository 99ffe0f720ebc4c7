/** Who may reach the server at all: IP allow and deny lists, and the Origin check for browser pages. */
package dev.relay.server.access;
