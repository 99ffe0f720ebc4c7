package dev.relay.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The AI assistant (docs/assistant.md): a member that answers in rooms and private chats through an
 * OpenAI-compatible {@code POST /v1/chat/completions} with {@code stream: true}.
 *
 * @param enabled          off by default; when on, {@code baseUrl} and {@code model} are required
 * @param baseUrl          the API's base, ending before {@code /chat/completions}, e.g. {@code http://127.0.0.1:11434/v1}
 * @param apiKey           sent as {@code Authorization: Bearer}; never logged
 * @param rooms            room id patterns ({@code *} any characters) the assistant answers in; private rooms need
 *                         an invitation its identity does not have, so {@code *} means every public room
 * @param contextMessages  newest messages of the room or conversation given to the model
 * @param maxTokens        {@code max_tokens} of each request
 * @param timeout          longest one answer may take, from the request to its last token
 * @param ratePerUser      questions one user may ask per minute; 0 is no limit
 * @param maxConcurrent    answers generated at once, per room and in total
 * @param updateInterval   least time between two {@code message_update} frames of one answer
 */
public record AssistantConfig(boolean enabled, Optional<URI> baseUrl, Optional<String> apiKey, Optional<String> model,
                              String userId, String name, List<String> rooms, String trigger, String systemPrompt,
                              int contextMessages, int maxTokens, Duration timeout, int ratePerUser,
                              int maxConcurrent, Duration updateInterval) {
    public AssistantConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(model, "model");
        rooms = List.copyOf(rooms);
    }

    /**
     * Refuses to start an enabled assistant without an endpoint and a model. Checked when the server starts rather
     * than when the configuration loads, so each key can still be set on its own.
     *
     * @throws ConfigException naming the missing key
     */
    public void requireUsable() {
        if (enabled && baseUrl.isEmpty()) {
            throw new ConfigException(ConfigKeys.ASSISTANT_BASE_URL.path() + ": the assistant is enabled"
                    + " (assistant_enabled) and needs the model API's URL, like http://127.0.0.1:11434/v1");
        }
        if (enabled && model.isEmpty()) {
            throw new ConfigException(ConfigKeys.ASSISTANT_MODEL.path() + ": the assistant is enabled"
                    + " (assistant_enabled) and needs a model name, like llama3.2");
        }
    }

    /** The key with the secret left out, for logs. */
    @Override
    public String toString() {
        return "AssistantConfig[enabled=" + enabled + ", baseUrl=" + baseUrl.map(URI::toString).orElse("") + ", model="
                + model.orElse("") + ", apiKey=" + (apiKey.isPresent() ? "<hidden>" : "(unset)") + ", userId=" + userId
                + ", rooms=" + rooms + "]";
    }
}
