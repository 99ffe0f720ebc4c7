package dev.relay.core;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Room messages: who gets them, in which order, and what is refused with which error. */
class HubRoomMessageTest extends HubTestSupport {

    @Test
    void aRoomMessageReachesEveryConnectionInTheRoomOnceIncludingTheSender() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        Client outsider = connect(loop1, "dave", "support");
        Client outsiderOnOtherLoop = connect(loop3, "erin", "announcements");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("ref", "m-1").containsEntry("seq", 1L));
        for (Client member : List.of(alice, aliceOnPhone, bob, carol)) {
            assertThat(member.messages(MessageType.ROOM_MESSAGE)).as(member.toString()).singleElement().satisfies(received -> {
                assertThat(received.type()).isEqualTo(MessageType.ROOM_MESSAGE);
                assertThat(received.from()).isEqualTo("alice");
                assertThat(received.roomId()).isEqualTo("general");
                assertThat(received.content()).isEqualTo("hello");
                assertThat(received.to()).isNull();
                assertThat(received.id()).hasSize(20);
                assertThat(received.timestamp()).isEqualTo(START);
            });
        }
        assertThat(List.of(alice, aliceOnPhone, bob, carol))
                .extracting(member -> member.messages(MessageType.ROOM_MESSAGE).getFirst().id())
                .as("one message, one id").containsOnly((String) data(alice.messages(MessageType.ACK).getFirst()).get("id"));
        assertThat(outsider.messages()).isEmpty();
        assertThat(outsiderOnOtherLoop.messages()).isEmpty();
    }

    @Test
    void dataIsPassedThroughAndSufficesWithoutContent() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        RawJson data = new RawJson("{\"x\":[1,2,3]}");

        alice.send(message(MessageType.ROOM_MESSAGE, "m-1", null, "general", null, data));
        alice.send(message(MessageType.ROOM_MESSAGE, "m-2", "", "general", null, data));

        assertThat(alice.errors()).isEmpty();
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).hasSize(2)
                .allSatisfy(received -> assertThat(received.data()).isEqualTo(data));
    }

    @Test
    void membersOnEveryLoopSeeConcurrentPublishersInTheSameOrder() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        Client dave = connect(loop3, "dave", "general");
        Client erin = connect(loop1, "erin", "general");
        clearAll();
        int each = 200;
        CyclicBarrier start = new CyclicBarrier(2);

        CompletableFuture<Void> fromAlice = publishConcurrently(alice, "a", each, start);
        CompletableFuture<Void> fromBob = publishConcurrently(bob, "b", each, start);
        CompletableFuture.allOf(fromAlice, fromBob).get();
        syncAll();

        List<String> reference = alice.contents(MessageType.ROOM_MESSAGE);
        assertThat(reference).hasSize(2 * each);
        assertThat(reference.stream().filter(content -> content.startsWith("a-")).toList())
                .containsExactlyElementsOf(sequence("a", each));
        assertThat(reference.stream().filter(content -> content.startsWith("b-")).toList())
                .containsExactlyElementsOf(sequence("b", each));
        for (Client member : List.of(bob, carol, dave, erin)) {
            assertThat(member.contents(MessageType.ROOM_MESSAGE)).as(member.toString())
                    .containsExactlyElementsOf(reference);
        }
        assertThat(alice.errors()).isEmpty();
        assertThat(bob.errors()).isEmpty();
        assertThat(HubConnectionTest.room(hub().queries().stats(), "general").messageCount()).isEqualTo(2L * each);
    }

    private CompletableFuture<Void> publishConcurrently(Client publisher, String prefix, int count,
                                                        CyclicBarrier start) {
        return CompletableFuture.runAsync(() -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (String content : sequence(prefix, count)) {
                hub().onMessage(publisher.session, roomMessage("general", content));
            }
        }, publisher.loop);
    }

    private static List<String> sequence(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("missing type", message(null, null, "hi", "general", null, null), "missing_field"),
                Arguments.of("unknown type", message("shout", null, "hi", "general", null, null), "unknown_type"),
                Arguments.of("server-only type", message(MessageType.WELCOME, null, "hi", "general", null, null),
                        "unknown_type"),
                Arguments.of("missing room id", roomMessage(null, "hi"), "missing_field"),
                Arguments.of("empty room id", roomMessage("", "hi"), "missing_field"),
                Arguments.of("invalid room id", roomMessage("bad room!", "hi"), "invalid_room_id"),
                Arguments.of("room id too long", roomMessage("r".repeat(65), "hi"), "invalid_room_id"),
                Arguments.of("not a member", roomMessage("support", "hi"), "not_member"),
                Arguments.of("unknown room", roomMessage("nowhere", "hi"), "room_not_found"),
                Arguments.of("empty content, no data", roomMessage("general", ""), "missing_field"),
                Arguments.of("no content, no data", roomMessage("general", null), "missing_field"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aRefusedMessageIsAnsweredWithAnErrorCarryingTheRef(String why, ClientMessage template, String code) {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        clearAll();

        alice.send(withId(template, "client-7"));

        assertError(alice.singleError(), code, "client-7");
        assertThat(alice.messages()).hasSize(1);
        assertThat(bob.messages()).isEmpty();
        assertThat(carol.messages()).isEmpty();
        assertThat(alice.connection.closeReason()).as("an error does not close the connection").isNull();
        assertThat(hub().queries().stats().totalMessages()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void anErrorHasNoRefWhenTheClientGaveNoId(String why, ClientMessage template, String code) {
        Client alice = connect(loop1, "alice", "general");
        connect(loop3, "carol", "support");
        alice.clear();

        alice.send(withId(template, null));

        assertError(alice.singleError(), code, null);
        assertThat(alice.connection.closeReason()).isNull();
    }

    @Test
    void theConnectionStillWorksAfterAnError() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("support", "wrong room"));
        alice.send(roomMessage("general", "right room"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("right room");
    }

    @Test
    void contentOfExactlyTheLimitIsAcceptedAndOneMoreCharacterIsRefused() {
        configure(settings -> settings.maxMessageLength = 5);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("ascii", "general", "abcde"));
        alice.send(roomMessage("cjk", "general", "你好世界啊"));
        alice.send(roomMessage("emoji", "general", "😀😀😀😀😀"));
        alice.send(roomMessage("mixed", "general", "a你😀b好"));
        assertThat(alice.errors()).isEmpty();
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("abcde", "你好世界啊", "😀😀😀😀😀", "a你😀b好");
        bob.clear();

        for (String tooLong : List.of("abcdef", "你好世界啊呀", "😀😀😀😀😀😀", "a你😀b好c")) {
            alice.clear();
            alice.send(roomMessage("long", "general", tooLong));
            assertError(alice.singleError(), "message_too_long", "long");
        }
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void theLengthLimitAppliesToPrivateMessagesAndBroadcastsToo() {
        configure(settings -> settings.maxMessageLength = 3);
        Client admin = connect(loop1, admin("root"), "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        admin.send(message(MessageType.PRIVATE_MESSAGE, "p", "四个字符", null, "bob", null));
        assertError(admin.singleError(), "message_too_long", "p");
        admin.clear();
        admin.send(message(MessageType.BROADCAST, "b", "四个字符", null, null, null));
        assertError(admin.singleError(), "message_too_long", "b");
        admin.clear();
        admin.send(message(MessageType.PRIVATE_MESSAGE, "p", "三个字", null, "bob", null));
        admin.send(message(MessageType.BROADCAST, "b", "三个字", null, null, null));

        assertThat(admin.errors()).isEmpty();
        assertThat(bob.types()).containsExactly(MessageType.PRIVATE_MESSAGE, MessageType.BROADCAST);
    }

    private static ClientMessage withId(ClientMessage message, String id) {
        return new ClientMessage(message.type(), id, message.content(), message.roomId(), message.to(),
                message.data());
    }
}
