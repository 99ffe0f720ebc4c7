package dev.relay.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One Redis server, or the master that Sentinel names (Lettuce asks the Sentinels again on every reconnect). */
final class StandaloneLink extends RedisLink {
    private final RedisClient client;
    private volatile StatefulRedisConnection<byte[], byte[]> commands;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private volatile boolean down;

    StandaloneLink(RedisURI uri, int requestQueueSize, Duration commandTimeout) {
        client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(requestQueueSize)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
    }

    @Override
    void connect(Listener listener) {
        this.listener = listener;
        commands = client.connect(ByteArrayCodec.INSTANCE);
        pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                listener.message(Keys.text(channel), message);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closing && !down) {
                    down = true;
                    listener.down();
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // Lettuce resubscribes every channel as the pub/sub connection activates.
                if (connection == pubSub && down) {
                    down = false;
                    listener.resubscribed(String.valueOf(address));
                }
            }
        });
    }

    @Override
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands.async();
    }

    @Override
    String publishCommand() {
        return "PUBLISH";
    }

    @Override
    CompletionStage<Long> publish(String channel, byte[] payload) {
        return commands.async().publish(Keys.bytes(channel), payload);
    }

    @Override
    void followNow(String channel) {
        followed.add(channel);
        pubSub.sync().subscribe(Keys.bytes(channel));
    }

    @Override
    CompletableFuture<Void> subscribe(String channel) {
        return pubSub.async().subscribe(Keys.bytes(channel)).toCompletableFuture();
    }

    @Override
    void unsubscribe(String channel) {
        pubSub.async().unsubscribe(Keys.bytes(channel));
    }

    @Override
    boolean isOpen() {
        return open(commands) && open(pubSub);
    }

    @Override
    boolean supportsWait() {
        return true;
    }

    @Override
    public void close() {
        shut(client, commands, pubSub);
    }
}
