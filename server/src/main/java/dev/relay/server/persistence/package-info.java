/**
 * Wires the message store from the configuration: memory, or the JDBC store (SQLite under {@code data_dir} or
 * {@code database_url}), the resume history in front of it, the bounded executor for blocking reads, readiness and
 * the daily retention job.
 */
package dev.relay.server.persistence;
