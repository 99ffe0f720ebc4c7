/** Authentication: verifying the JWTs clients present, and issuing tokens for the command line. */
package dev.relay.server.auth;
