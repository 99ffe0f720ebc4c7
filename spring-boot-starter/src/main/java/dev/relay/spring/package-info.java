/**
 * Relay in a Spring Boot application: {@link dev.relay.spring.RelayAutoConfiguration} builds the
 * {@link dev.relay.server.WebSocketService} from {@code relay.*} properties, runs it with the application context and
 * joins its health and metrics to the application's actuator and Micrometer registry (docs/embedding.md).
 */
package dev.relay.spring;
