package dev.relay.server.config;

/**
 * @param maxMessageLength         most Unicode code points of a message's content
 * @param enableMessageFilter      whether the word filter applies ({@link PolicyConfig#filterWords()}, action)
 * @param enableMessagePersistence storing messages (planned: accepted, no effect yet)
 * @param messageRetentionDays     days stored messages are kept (planned: accepted, no effect yet)
 * @param enableMessageBroadcast   whether {@code broadcast} messages are accepted
 * @param enablePrivateMessaging   whether {@code private_message} is accepted
 */
public record MessageConfig(int maxMessageLength, boolean enableMessageFilter, boolean enableMessagePersistence,
                            int messageRetentionDays, boolean enableMessageBroadcast,
                            boolean enablePrivateMessaging) {
}
