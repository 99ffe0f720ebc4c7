package dev.relay.core.store;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.MessageStore.Page;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link MessageStore} does for the REST API and the hub, whatever keeps the messages (memory, SQLite,
 * PostgreSQL): pages of room and private history, offline messages that stay in the conversation, search within
 * what the reader may read, and a closed room that leaves nothing behind. Each store's test extends this and adds
 * what only it does (a database's reopen, queue bound, retention).
 */
public abstract class MessageStoreContract {
    protected static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

    private final AtomicInteger ids = new AtomicInteger();

    /** A store that starts empty, open for the test; the subclass closes it afterwards. */
    protected abstract MessageStore store();

    /**
     * Hands the store a message the hub accepted, as the hub does, and waits until it is kept. A store that keeps
     * room messages in the resume history (memory) overrides this to append them there too, as the hub would.
     */
    protected void accept(MessageStore store, ServerMessage message) {
        kept(store.accepted(message));
    }

    /** A room the hub closes: its resume history goes too, as the hub's own does. */
    protected void close(MessageStore store, String roomId, String epoch) {
        store.roomClosed(roomId, epoch);
    }

    protected ServerMessage room(String roomId, String epoch, long seq, String from, String content, Instant at) {
        return new ServerMessage("r" + ids.incrementAndGet(), MessageType.ROOM_MESSAGE, from, null, roomId, content,
                null, at, seq, epoch);
    }

    protected ServerMessage direct(String from, String to, String content, Instant at) {
        return new ServerMessage("p" + ids.incrementAndGet(), MessageType.PRIVATE_MESSAGE, from, to, null, content,
                null, at);
    }

    /** Waits for a write when the store hands out a future (ack_after_persist); memory keeps at once. */
    protected static void kept(CompletableFuture<Void> future) {
        if (future != null) {
            future.join();
        }
    }

    protected static List<String> search(MessageStore store, SearchQuery query) {
        return store.search(query).stream().map(SearchHit::message).map(ServerMessage::content).toList();
    }

    @Test
    void roomPagesAreNewestLastWithHasMoreAndBeforeSeq() {
        MessageStore store = store();
        for (int seq = 1; seq <= 5; seq++) {
            accept(store, room("general", "e1", seq, "alice", "m" + seq, T0.plusSeconds(seq)));
        }
        accept(store, room("other", "e1", 1, "alice", "elsewhere", T0));

        Page newest = store.roomMessages("general", "e1", null, 2);
        assertThat(newest.messages()).extracting(ServerMessage::content).containsExactly("m4", "m5");
        assertThat(newest.hasMore()).isTrue();

        Page older = store.roomMessages("general", "e1", 4L, 10);
        assertThat(older.messages()).extracting(ServerMessage::seq).containsExactly(1L, 2L, 3L);
        assertThat(older.hasMore()).isFalse();
        assertThat(store.roomMessages("general", "another-epoch", null, 10).messages()).isEmpty();
    }

    @Test
    void aStoredMessageReadsBackFieldForField() {
        MessageStore store = store();
        ServerMessage sent = new ServerMessage("x1", MessageType.ROOM_MESSAGE, "alice", null, "general", "hi",
                new RawJson("{\"k\":[1,2]}"), T0.plusMillis(123), 9L, "e1");
        accept(store, sent);

        assertThat(store.roomMessages("general", "e1", null, 1).messages()).containsExactly(sent);
    }

    /**
     * A {@code message_update} that is kept (a streaming answer's final text) replaces content and data by id in room
     * pages, conversations and search; the message keeps its place, sender and time. The writer is asynchronous in
     * a database, so the reads wait for it.
     */
    @Test
    void aKeptUpdateReplacesContentAndDataEverywhereTheMessageIsRead() {
        MessageStore store = store();
        ServerMessage question = room("general", "e1", 1, "alice", "what is relay", T0);
        ServerMessage answer = new ServerMessage("a1", MessageType.ROOM_MESSAGE, "assistant", null, "general", "",
                new RawJson("{\"stream\":{\"state\":\"streaming\"}}"), T0.plusSeconds(1), 2L, "e1");
        accept(store, question);
        accept(store, answer);
        ServerMessage privateAnswer = new ServerMessage("a2", MessageType.PRIVATE_MESSAGE, "assistant", "bob", null,
                "", null, T0.plusSeconds(2));
        accept(store, privateAnswer);

        store.updated(new ServerMessage("a1", MessageType.MESSAGE_UPDATE, "assistant", null, "general",
                "Relay is a websocket server", new RawJson("{\"stream\":{\"state\":\"done\"}}"), T0.plusSeconds(9)));
        store.updated(new ServerMessage("a2", MessageType.MESSAGE_UPDATE, "assistant", "bob", null,
                "a private answer", null, T0.plusSeconds(9)));

        ServerMessage expected = new ServerMessage("a1", MessageType.ROOM_MESSAGE, "assistant", null, "general",
                "Relay is a websocket server", new RawJson("{\"stream\":{\"state\":\"done\"}}"), T0.plusSeconds(1),
                2L, "e1");
        org.awaitility.Awaitility.await().untilAsserted(() -> {
            assertThat(store.roomMessages("general", "e1", null, 10).messages()).containsExactly(question, expected);
            assertThat(store.conversation("bob", "assistant", null, 10).messages())
                    .extracting(ServerMessage::id, ServerMessage::content).containsExactly(
                            org.assertj.core.groups.Tuple.tuple("a2", "a private answer"));
            assertThat(search(store, new SearchQuery("websocket", null, null, null, null, 10, "alice",
                    Set.of("general")))).containsExactly("Relay is a websocket server");
        });
    }

    @Test
    void anUpdateOfAMessageNotKeptChangesNothing() {
        MessageStore store = store();
        ServerMessage kept = room("general", "e1", 1, "alice", "hello", T0);
        accept(store, kept);
        store.updated(new ServerMessage("missing", MessageType.MESSAGE_UPDATE, "alice", null, "general", "other",
                null, T0));
        accept(store, room("general", "e1", 2, "alice", "after", T0.plusSeconds(1)));

        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(
                store.roomMessages("general", "e1", null, 10).messages()).extracting(ServerMessage::content)
                .containsExactly("hello", "after"));
    }

    @Test
    void aConversationHoldsBothDirectionsAndNothingElse() {
        MessageStore store = store();
        accept(store, direct("alice", "bob", "hi bob", T0.plusSeconds(1)));
        accept(store, direct("bob", "alice", "hi alice", T0.plusSeconds(2)));
        accept(store, direct("alice", "carol", "hi carol", T0.plusSeconds(3)));
        accept(store, direct("alice", "bob", "later", T0.plusSeconds(4)));

        assertThat(store.conversation("bob", "alice", null, 10).messages()).extracting(ServerMessage::content)
                .containsExactly("hi bob", "hi alice", "later");
        Page before = store.conversation("alice", "bob", T0.plusSeconds(4), 1);
        assertThat(before.messages()).extracting(ServerMessage::content).containsExactly("hi alice");
        assertThat(before.hasMore()).isTrue();
    }

    @Test
    void offlineMessagesAreReleasedOnceInOrderAndStayInTheConversation() {
        MessageStore store = store();
        kept(store.hold(direct("alice", "bob", "one", T0)));
        kept(store.hold(direct("carol", "bob", "two", T0)));
        kept(store.hold(direct("alice", "dave", "for dave", T0)));

        OfflineDelivery delivery = store.release("bob").join();
        assertThat(delivery.messages()).extracting(ServerMessage::content).containsExactly("one", "two");
        assertThat(delivery.dropped()).isZero();
        assertThat(store.release("bob").join().isEmpty()).as("released once").isTrue();
        assertThat(store.conversation("alice", "bob", null, 10).messages()).as("still in history").hasSize(1);
        assertThat(store.release("dave").join().messages()).extracting(ServerMessage::content)
                .containsExactly("for dave");
    }

    @Test
    void searchFindsEnglishAndChineseWithinWhatTheReaderMayRead() {
        MessageStore store = store();
        accept(store, room("general", "e", 1, "alice", "消息持久化存储", T0.plusSeconds(1)));
        accept(store, room("secret", "e", 1, "root", "持久化 in the secret room", T0.plusSeconds(2)));
        accept(store, room("general", "e", 2, "bob", "Persistence keeps messages", T0.plusSeconds(3)));
        accept(store, direct("carol", "dave", "private persistence talk", T0.plusSeconds(4)));
        accept(store, direct("bob", "alice", "bob tells alice about persistence", T0.plusSeconds(5)));

        SearchQuery chinese = new SearchQuery("持久化", null, null, null, null, 10, "alice", Set.of("general"));
        assertThat(store.search(chinese)).extracting(hit -> hit.message().content()).containsExactly("消息持久化存储");
        assertThat(store.search(chinese).getFirst().highlight()).isEqualTo("消息<mark>持久化</mark>存储");

        SearchQuery english = new SearchQuery("persistence", null, null, null, null, 10, "alice", Set.of("general"));
        assertThat(store.search(english)).extracting(hit -> hit.message().content())
                .containsExactlyInAnyOrder("Persistence keeps messages", "bob tells alice about persistence");

        SearchQuery admin = new SearchQuery("persistence", null, null, null, null, 10, "root", null);
        assertThat(store.search(admin)).hasSize(3);
        SearchQuery outsider = new SearchQuery("持久化", null, null, null, null, 10, "eve", Set.of());
        assertThat(store.search(outsider)).as("eve is in no room and in no conversation").isEmpty();
    }

    @Test
    void searchFiltersByRoomSenderAndTimeAndLimits() {
        MessageStore store = store();
        for (int i = 1; i <= 4; i++) {
            accept(store, room("general", "e", i, i % 2 == 0 ? "bob" : "alice", "release notes " + i,
                    T0.plusSeconds(i)));
        }
        accept(store, room("support", "e", 1, "alice", "release notes elsewhere", T0.plusSeconds(9)));
        Set<String> both = Set.of("general", "support");

        assertThat(search(store, new SearchQuery("release", "support", null, null, null, 10, "x", both)))
                .containsExactly("release notes elsewhere");
        assertThat(search(store, new SearchQuery("release", "general", "bob", null, null, 10, "x", both)))
                .containsExactlyInAnyOrder("release notes 2", "release notes 4");
        assertThat(search(store, new SearchQuery("release", null, null, T0.plusSeconds(2), T0.plusSeconds(4), 10,
                "x", both))).containsExactlyInAnyOrder("release notes 2", "release notes 3");
        assertThat(store.search(new SearchQuery("release", null, null, null, null, 2, "x", both))).hasSize(2);
        assertThat(search(store, new SearchQuery("s 4", null, null, null, null, 10, "x", both)))
                .as("shorter than a trigram").containsExactly("release notes 4");
        assertThat(search(store, new SearchQuery("100%", null, null, null, null, 10, "x", both))).isEmpty();
    }

    @Test
    void aClosedRoomLeavesNoHistoryOrSearchHitAndARoomCreatedAgainUnderItsIdStartsEmpty() {
        MessageStore store = store();
        store.roomCreated(new RoomRecord("vault", null, null, Set.of("alice")));
        for (int seq = 1; seq <= 3; seq++) {
            accept(store, room("vault", "old", seq, "alice", "secret plan " + seq, T0));
        }
        accept(store, room("general", "g", 1, "alice", "secret elsewhere", T0));

        close(store, "vault", "old");
        store.roomCreated(new RoomRecord("vault", null, null, null));
        accept(store, room("vault", "new", 1, "bob", "fresh start", T0.plusSeconds(1)));

        assertThat(store.roomMessages("vault", "old", null, 10).messages()).as("history of the old stream").isEmpty();
        assertThat(store.roomMessages("vault", "new", null, 10).messages()).extracting(ServerMessage::content)
                .containsExactly("fresh start");
        assertThat(search(store, new SearchQuery("secret", null, null, null, null, 50, "root", null)))
                .as("search, even for an admin").containsExactly("secret elsewhere");
        assertThat(search(store, new SearchQuery("secret", "vault", null, null, null, 50, "bob", Set.of("vault"))))
                .isEmpty();
    }

    /** What an edit checks the author and the time against: found by id alone, room or private, with edits applied. */
    @Test
    void aKeptMessageIsFoundByIdWithItsLatestContent() {
        MessageStore store = store();
        ServerMessage inRoom = room("general", "e1", 1, "alice", "typo", T0);
        ServerMessage direct = direct("bob", "carol", "psst", T0.plusSeconds(1));
        accept(store, inRoom);
        accept(store, direct);

        assertThat(store.message(inRoom.id())).contains(inRoom);
        assertThat(store.message(direct.id())).contains(direct);
        assertThat(store.message("nobody-sent-this")).isEmpty();

        store.updated(new ServerMessage(inRoom.id(), MessageType.MESSAGE_UPDATE, "alice", null, "general", "fixed",
                null, T0.plusSeconds(5)));
        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(store.message(inRoom.id())).hasValueSatisfying(
                found -> {
                    assertThat(found.content()).isEqualTo("fixed");
                    assertThat(found.from()).isEqualTo("alice");
                    assertThat(found.timestamp()).as("the time it was sent, not edited").isEqualTo(T0);
                }));
    }
}
