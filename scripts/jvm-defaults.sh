# Sourced by ./wsserver and bench/compare.sh: sets RELAY_JVM_DEFAULTS, the JVM options Relay starts with. They go
# before RELAY_JAVA_OPTS on the command line, so the caller's options win where both set the same thing.
#
# Idle memory: G1, the JVM's collector on any machine with 2 CPUs and 2 GB, sizes the heap for the garbage a burst of
# handshakes leaves and then keeps it committed: 15,000 idle connections cost 11-20 KiB of RSS each above the empty
# server, against ~3 KiB of live heap. With these options G1 collects once it has had nothing to do for 30 s
# (G1PeriodicGCInterval) and gives back committed heap beyond 20% free (MaxHeapFreeRatio): 4.7 KiB per idle
# connection, and under load, which collects anyway, it sizes the heap as before (BENCHMARKS.md). Not sooner than
# 30 s: the first burst after a shrink (a reconnect storm) pays young collections while the heap grows back.
# The heap-free ratios apply to the serial collector too; the interval is ignored by other collectors.
# RELAY_JVM_DEFAULTS=none leaves the JVM's own defaults.
relay_jvm_defaults() {
  if [ "${RELAY_JVM_DEFAULTS:-}" = none ]; then
    RELAY_JVM_DEFAULTS=""
    return 0
  fi
  RELAY_JVM_DEFAULTS="-XX:G1PeriodicGCInterval=30000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
}
