/**
 * The AI assistant (docs/assistant.md): a member that answers questions in rooms and private chats through any
 * OpenAI-compatible {@code POST /chat/completions} with {@code stream: true}. It hears questions on the hub's event
 * stream ({@link dev.relay.server.assistant.Assistant} is an event listener, so in a cluster only the node that
 * accepted a question hears it), speaks through the in-process API as a user like any other, and grows its answer in
 * place with the hub's {@code message_update}. Model calls run on virtual threads, never on an event loop.
 */
package dev.relay.server.assistant;
