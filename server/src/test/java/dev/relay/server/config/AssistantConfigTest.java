package dev.relay.server.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The assistant's settings: what an enabled assistant needs, and the key that never shows. */
class AssistantConfigTest {
    @Test
    void an_enabled_assistant_needs_a_url_and_a_model_and_says_which_is_missing() {
        RelayConfig noUrl = ConfigLoader.load(null, Map.of(), Map.of("assistant_enabled", "true",
                "assistant_model", "llama3.2"));
        assertThatThrownBy(() -> noUrl.assistant().requireUsable()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("assistant_base_url");
        RelayConfig noModel = ConfigLoader.load(null, Map.of(), Map.of("assistant_enabled", "true",
                "assistant_base_url", "http://127.0.0.1:11434/v1"));
        assertThatThrownBy(() -> noModel.assistant().requireUsable()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("assistant_model");

        RelayConfig usable = ConfigLoader.load(null, Map.of(), Map.of("assistant_enabled", "true",
                "assistant_base_url", "http://127.0.0.1:11434/v1", "assistant_model", "llama3.2"));
        usable.assistant().requireUsable();
        RelayConfig.defaults().assistant().requireUsable(); // disabled: nothing needed
    }

    @Test
    void the_api_key_comes_from_the_environment_and_is_never_shown() {
        RelayConfig config = ConfigLoader.load(null, Map.of("WS_ASSISTANT_API_KEY", "sk-very-secret"), Map.of());
        assertThat(config.assistant().apiKey()).contains("sk-very-secret");
        assertThat(config.assistant().toString()).doesNotContain("sk-very-secret").contains("<hidden>");
        assertThat(config.toString()).doesNotContain("sk-very-secret");
    }

    @Test
    void room_patterns_and_the_user_id_are_checked() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("assistant_user_id", "no spaces")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("assistant_user_id");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("assistant_rooms", "a b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("assistant_rooms");
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("assistant_rooms", "support-*,general"))
                .assistant().rooms()).containsExactly("support-*", "general");
    }
}
