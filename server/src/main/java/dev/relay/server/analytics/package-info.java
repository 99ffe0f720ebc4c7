/**
 * Real-time analytics in the server: {@link dev.relay.server.analytics.Analytics} wires core's recorder to the event
 * stream and the hub, writes its rollups to the store on a thread of its own and serves the reports;
 * {@link dev.relay.server.analytics.AnalyticsFeed} is the admins' live subscription over their WebSocket.
 */
package dev.relay.server.analytics;
