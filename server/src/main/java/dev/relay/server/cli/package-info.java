/** The {@code wsserver} command line (picocli): serve, and print tokens. */
package dev.relay.server.cli;
