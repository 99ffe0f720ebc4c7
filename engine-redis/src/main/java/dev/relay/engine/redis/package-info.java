/**
 * The Redis engine: {@link dev.relay.engine.redis.RedisBroker} carries messages between Relay nodes over Redis
 * pub/sub and keeps each room's one stream (seq, epoch, recent messages) in Redis, assigned by a Lua script so every
 * node agrees on it.
 */
package dev.relay.engine.redis;
