/**
 * What the hub and its delivery lanes report to whoever watches them (metrics, activity, audit), through one small
 * interface with no-op defaults, so the core stays free of any metrics library.
 */
package dev.relay.core.observe;
