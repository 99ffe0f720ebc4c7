package dev.relay.core;

import dev.relay.core.identity.Identity;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.TokenCheck;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy hooks the transport installs: token refresh, permissions, private rooms and the content filter. */
class HubPolicyTest extends HubTestSupport {
    private static ClientMessage refresh(String token) {
        return new ClientMessage(MessageType.REFRESH, "r", null, null, null, null, Map.of("token", token));
    }

    @Test
    void aRefreshForTheSameUserMovesTheExpiryForwardAndNeverBack() {
        Instant later = START.plusSeconds(3600);
        build(b -> b.tokenCheck(token -> new TokenCheck.Checked(user(token), token.equals("alice") ? later : START)));
        Client alice = connect(loop1, "alice", "general");
        alice.session.tokenExpiresAt(START.plusSeconds(60));
        alice.clear();

        alice.send(refresh("alice"));
        assertThat(alice.messages(MessageType.REFRESHED)).hasSize(1);
        assertThat(alice.session.tokenExpiresAt()).isEqualTo(later);

        alice.clear();
        alice.send(refresh("bob"));
        assertError(alice.singleError(), "forbidden", "r");
        assertThat(alice.session.tokenExpiresAt()).isEqualTo(later);
    }

    @Test
    void withoutATokenCheckRefreshIsUnsupported() {
        Client alice = connect(loop1, "alice", "general");
        alice.clear();
        alice.send(refresh("anything"));
        assertError(alice.singleError(), "feature_disabled", "r");
    }

    @Test
    void permissionsComeFromTheInstalledRoleLists() {
        build(b -> b.permissions(new Permissions(Set.of("moderator"), Set.of("moderator"), Set.of("verified"),
                Set.of("moderator"))));
        Identity moderator = new Identity("mod", null, Set.of("moderator"));
        assertThat(hub().admin().createRoom(moderator, new RoomSpec("modroom", null, null)).id()).isEqualTo("modroom");
        assertThatThrownBy(() -> hub().admin().createRoom(admin("root"), new RoomSpec("x", null, null)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("moderator");

        Client pleb = connect(loop1, "pleb", "general");
        connect(loop2, "vera", "general");
        pleb.clear();
        pleb.send(privateMessage("vera", "hi"));
        assertError(pleb.singleError(), "forbidden", null);
    }

    @Test
    void aPrivateRoomAdmitsMembersTheCreatorAdminsAndGrantedTokensOnly() {
        hub().admin().createRoom(admin("boss"), new RoomSpec("staff", null, null), true, Set.of("alice"));
        assertThat(hub().queries().roomAccess().mayEnter(user("alice"), "staff")).isTrue();
        assertThat(hub().queries().roomAccess().mayEnter(admin("boss"), "staff")).isTrue();
        assertThat(hub().queries().roomAccess().mayEnter(new Identity("guest", null, Set.of(), Set.of("staff")), "staff"))
                .isTrue();
        assertThat(hub().queries().roomAccess().mayEnter(user("mallory"), "staff")).isFalse();

        Client mallory = connect(loop1, "mallory", "general");
        mallory.clear();
        mallory.send(joinRoom("j", "staff"));
        assertError(mallory.singleError(), "room_not_found", "j"); // as if it did not exist
        assertThatThrownBy(() -> connect(loop2, "mallory", "staff")).hasMessage("room 'staff' does not exist");
    }

    @Test
    void filteredContentIsWhatTheRoomAndItsHistoryGet() {
        build(b -> b.contentFilter(ContentFilter.of(List.of("spam"), ContentFilter.Action.MASK)));
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        alice.send(roomMessage("general", "no SPAM here"));
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("no **** here");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("no **** here");
    }

    @Test
    void aRejectingFilterRefusesTheMessage() {
        build(b -> b.contentFilter(ContentFilter.of(List.of("spam"), ContentFilter.Action.REJECT)));
        assertThatThrownBy(() -> hub().publish(Identity.SYSTEM, broadcast("spam")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FILTERED));
    }

    @Test
    void deletingARoomMovesEveryConnectionOutAndDefaultRoomsStay() {
        hub().admin().createRoom(admin("boss"), new RoomSpec("temp", null, null));
        Client alice = connect(loop1, "alice", "temp");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        assertThatThrownBy(() -> hub().admin().deleteRoom(user("alice"), "temp")).hasMessageContaining("admin");
        assertThatThrownBy(() -> hub().admin().deleteRoom(admin("boss"), "general")).hasMessageContaining("default room");

        int moved = hub().admin().deleteRoom(admin("boss"), "temp").join();
        syncAll();
        assertThat(moved).isEqualTo(1);
        assertThat(hub().queries().roomExists("temp")).isFalse();
        assertThat(alice.messages(MessageType.ROOM_CLOSED)).hasSize(1);
        assertThat(alice.session.roomIds()).isEmpty();
        assertThat(bob.messages(MessageType.ROOM_CLOSED)).isEmpty();
    }
}
