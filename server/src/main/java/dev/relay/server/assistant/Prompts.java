package dev.relay.server.assistant;

import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MessageStore;
import dev.relay.server.config.AssistantConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the model is asked: the system prompt, then the context as chat turns, then the question. The context is only
 * what the asker may read where they asked: the newest messages of that room's stream before the question, or of
 * their private conversation with the assistant; never another room's or another user's. {@code /summary [N]} asks
 * for a summary of the room's last N messages (default {@value #SUMMARY_DEFAULT}); {@code /help} is answered
 * without the model.
 */
final class Prompts {
    static final int SUMMARY_DEFAULT = 50;
    static final int SUMMARY_MAX = 500;
    private static final Pattern SUMMARY = Pattern.compile("^/summary(?:\\s+(\\d{1,4}))?\\s*$");

    private final AssistantConfig config;
    private final String assistantId;

    Prompts(AssistantConfig config, String assistantId) {
        this.config = config;
        this.assistantId = assistantId;
    }

    /** The turns for the model, or an {@code answer} given without it. */
    record Plan(List<ChatTurn> turns, String answer) {
    }

    /** Reads the context from the store (blocking: call off the event loops). */
    Plan plan(Question question, MessageStore store) {
        String text = question.text();
        if (text.equals("/help")) {
            return new Plan(List.of(), help(question.inRoom()));
        }
        Matcher summary = SUMMARY.matcher(text);
        if (summary.matches() && question.inRoom()) {
            int n = summary.group(1) == null ? SUMMARY_DEFAULT
                    : Math.max(1, Math.min(SUMMARY_MAX, Integer.parseInt(summary.group(1))));
            StringBuilder transcript = new StringBuilder();
            for (ServerMessage m : context(question, store, n)) {
                transcript.append(m.from()).append(": ").append(m.content()).append('\n');
            }
            return new Plan(List.of(ChatTurn.system(config.systemPrompt()), ChatTurn.user(
                    "Summarize this conversation from the room '" + question.roomId() + "' for " + question.asker()
                            + ", in a few lines:\n\n" + transcript)), null);
        }
        List<ChatTurn> turns = new ArrayList<>();
        turns.add(ChatTurn.system(config.systemPrompt()));
        for (ServerMessage m : context(question, store, config.contextMessages())) {
            turns.add(assistantId.equals(m.from()) ? ChatTurn.assistant(m.content())
                    : ChatTurn.user(m.from() + ": " + m.content()));
        }
        turns.add(ChatTurn.user(question.asker() + ": " + text));
        return new Plan(turns, null);
    }

    /** The newest {@code limit} messages before the question with text (not the empty start of an answer). */
    private List<ServerMessage> context(Question question, MessageStore store, int limit) {
        if (limit == 0) {
            return List.of();
        }
        List<ServerMessage> messages = question.inRoom()
                ? store.roomMessages(question.roomId(), question.epoch(), question.seq(), limit).messages()
                : store.conversation(question.asker(), assistantId, question.at(), limit).messages();
        return messages.stream()
                .filter(m -> m.content() != null && !m.content().isBlank() && !m.id().equals(question.messageId()))
                .toList();
    }

    private String help(boolean inRoom) {
        String ask = inRoom ? "Mention " + config.trigger() + " with your question" : "Write your question";
        return ask + " and I answer as I think, here in the chat. I see the last " + config.contextMessages()
                + " messages " + (inRoom ? "of this room" : "of our conversation") + ".\n"
                + (inRoom ? config.trigger() + " /summary [N] summarizes the last N messages of this room (default "
                + SUMMARY_DEFAULT + ").\n" : "")
                + (inRoom ? config.trigger() + " " : "") + "/help shows this.\n"
                + "Press Stop (or send a cancel) to stop an answer.";
    }
}
