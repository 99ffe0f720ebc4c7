/** The JSON protocol's vocabulary: message records, types, error codes and close codes (docs/protocol.md). */
package dev.relay.core.protocol;
