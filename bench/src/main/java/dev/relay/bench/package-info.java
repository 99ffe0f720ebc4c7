/**
 * Benchmarks: the load generator ({@code load}), the raw Netty reference server ({@code raw}), JMH benchmarks of
 * the hot path ({@code jmh}) and the comparison report ({@code report}). Nothing here is part of the product.
 */
package dev.relay.bench;
