package dev.relay.core.policy;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageRulesTest {
    private static final RawJson DATA = new RawJson("{\"k\":1}");
    private final MessageRules rules = new MessageRules(4);

    @Test
    void aBodyNeedsContentOrData() {
        assertThatCode(() -> rules.checkBody(body("hi", null))).doesNotThrowAnyException();
        assertThatCode(() -> rules.checkBody(body(null, DATA))).doesNotThrowAnyException();
        assertThatCode(() -> rules.checkBody(body("", DATA))).doesNotThrowAnyException();
        assertRefused(() -> rules.checkBody(body("", null)), ErrorCode.MISSING_FIELD);
        assertRefused(() -> rules.checkBody(body(null, null)), ErrorCode.MISSING_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abcd", "你好世界", "😀😀😀😀", "a😀你b", "\uD83D\uDC68\u200D\uD83D\uDC69x"})
    void contentOfExactlyTheLimitInCodePointsPasses(String content) {
        assertThat(content.codePointCount(0, content.length())).isEqualTo(4);
        assertThatCode(() -> rules.checkBody(body(content, null))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abcde", "你好世界呀", "😀😀😀😀😀", "a😀你b!"})
    void contentOneCodePointOverTheLimitIsRefused(String content) {
        assertThat(content.codePointCount(0, content.length())).isEqualTo(5);
        assertRefused(() -> rules.checkBody(body(content, null)), ErrorCode.MESSAGE_TOO_LONG);
    }

    @Test
    void dataDoesNotExcuseContentThatIsTooLong() {
        assertRefused(() -> rules.checkBody(body("abcde", DATA)), ErrorCode.MESSAGE_TOO_LONG);
    }

    @Test
    void theTooLongErrorSaysHowLongAndWhatTheLimitIs() {
        assertThatThrownBy(() -> rules.checkBody(body("😀😀😀😀😀😀", null)))
                .hasMessageContaining("6").hasMessageContaining("4");
    }

    @Test
    void aRoomIdMustBePresent() {
        assertRefused(() -> rules.requireRoomId(room(null)), ErrorCode.MISSING_FIELD);
        assertRefused(() -> rules.requireRoomId(room("")), ErrorCode.MISSING_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {" general", "general ", "-x", "_x", ".x", "a b", "a/b", "ü", "é1", "room#1"})
    void aMalformedRoomIdIsRefused(String roomId) {
        assertRefused(() -> rules.requireRoomId(room(roomId)), ErrorCode.INVALID_ROOM_ID);
    }

    @Test
    void aRoomIdIsAtMost64Characters() {
        String longest = "r" + "x".repeat(63);
        assertThat(rules.requireRoomId(room(longest))).isEqualTo(longest);
        assertRefused(() -> rules.requireRoomId(room(longest + "x")), ErrorCode.INVALID_ROOM_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"general", "a", "9", "team_1.sub:2-x", "A-Z"})
    void aWellFormedRoomIdIsReturned(String roomId) {
        assertThat(rules.requireRoomId(room(roomId))).isEqualTo(roomId);
    }

    private static ClientMessage body(String content, RawJson data) {
        return new ClientMessage("room_message", null, content, "general", null, data);
    }

    private static ClientMessage room(String roomId) {
        return new ClientMessage("join_room", null, null, roomId, null, null);
    }

    private static void assertRefused(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class,
                refused -> assertThat(refused.code()).isEqualTo(code));
    }
}
