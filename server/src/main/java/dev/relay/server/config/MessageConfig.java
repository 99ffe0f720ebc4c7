package dev.relay.server.config;

/**
 * @param maxMessageLength         most Unicode code points of a message's content
 * @param enableMessageFilter      whether the word filter applies ({@link PolicyConfig#filterWords()}, action)
 * @param enableMessagePersistence storing messages in a database ({@link PersistenceConfig} says which and how)
 * @param messageRetentionDays     days stored messages are kept
 * @param enableMessageBroadcast   whether {@code broadcast} messages are accepted
 * @param enablePrivateMessaging   whether {@code private_message} is accepted
 * @param editWindow               how long after sending its author may edit a message ({@code edit_message})
 * @param persistence              the store, its write queue, acks after commit, offline messages
 */
public record MessageConfig(int maxMessageLength, boolean enableMessageFilter, boolean enableMessagePersistence,
                            int messageRetentionDays, boolean enableMessageBroadcast,
                            boolean enablePrivateMessaging, java.time.Duration editWindow,
                            PersistenceConfig persistence) {
    public MessageConfig {
        java.util.Objects.requireNonNull(editWindow, "editWindow");
        java.util.Objects.requireNonNull(persistence, "persistence");
    }
}
