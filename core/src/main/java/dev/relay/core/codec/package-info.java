/**
 * How the core's messages become bytes, without the core knowing the format: the {@link dev.relay.core.codec.Encoder}
 * that makes the one {@link dev.relay.core.codec.EncodedFrame} every recipient is written, and the
 * {@link dev.relay.core.codec.MessageCodec} a broker carries messages between nodes with. The transport implements
 * them (the server's {@code server.codec}: JSON); rooms, presence, delivery and the cluster SPI all use them, so they
 * sit below every one of those packages and depend on the protocol records only.
 */
package dev.relay.core.codec;
