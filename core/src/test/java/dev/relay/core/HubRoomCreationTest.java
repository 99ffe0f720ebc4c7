package dev.relay.core;

import dev.relay.core.identity.Identity;
import dev.relay.core.policy.Permissions;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static dev.relay.core.HubPublishTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/** Creating rooms through the hub: who may, and within which limits. */
class HubRoomCreationTest extends HubTestSupport {

    @Test
    void anAdminCreatesARoomThatCanBeUsedAtOnce() {
        clock.advance(Duration.ofHours(1));

        RoomInfo info = hub().admin().createRoom(admin("root"), new RoomSpec("team-1", "Team one", "for the team"));

        assertThat(info).isEqualTo(new RoomInfo("team-1", "Team one", "for the team", 0, 0, 0,
                START.plus(Duration.ofHours(1))));
        assertThat(hub().queries().roomExists("team-1")).isTrue();
        assertThat(hub().queries().roomInfos()).extracting(RoomInfo::id).contains("team-1");
        assertThat(hub().queries().roomInfos().getLast().id()).as("newest room listed last").isEqualTo("team-1");
        Client alice = connect(loop1, "alice", "team-1");
        alice.send(roomMessage("team-1", "first!"));
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("first!");
    }

    @Test
    void onlyAdminsMayCreateRooms() {
        assertRefused(() -> hub().admin().createRoom(user("alice"), new RoomSpec("mine", null, null)), ErrorCode.FORBIDDEN);
        assertThat(hub().queries().roomExists("mine")).isFalse();
    }

    @Test
    void anExistingIdIsRefused() {
        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec("general", "Again", null)),
                ErrorCode.ROOM_EXISTS);
        assertThat(HubConnectionTest.room(hub().queries().stats(), "general").name()).isEqualTo("General");
    }

    @Test
    void aRefusedPrivateCreateLeavesAnExistingPublicRoomOpenToEveryone() {
        Client bob = connect(loop1, "bob", "support");

        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec("general", null, null), true, Set.of("me")),
                ErrorCode.ROOM_EXISTS);

        assertThat(hub().queries().roomAccess().isPrivate("general")).isFalse();
        assertThat(hub().queries().roomAccess().mayEnter(user("bob"), "general")).isTrue();
        bob.send(joinRoom("j1", "general"));
        assertThat(bob.messages(MessageType.JOINED)).hasSize(1);
    }

    @Test
    void aRefusedPrivateCreateLeavesAnotherPrivateRoomsAccessListAsItWas() {
        build(b -> b.permissions(new Permissions(Set.of("moderator"), Set.of(), Set.of("*"), Set.of())));
        Identity owner = new Identity("owner", null, Set.of("moderator"));
        Identity intruder = new Identity("intruder", null, Set.of("moderator"));
        hub().admin().createRoom(owner, new RoomSpec("board", null, null), true, Set.of("alice"));

        assertRefused(() -> hub().admin().createRoom(intruder, new RoomSpec("board", null, null), true, Set.of("intruder")),
                ErrorCode.ROOM_EXISTS);
        assertRefused(() -> hub().admin().createRoom(intruder, new RoomSpec("board", null, null)), ErrorCode.ROOM_EXISTS);

        assertThat(hub().queries().roomAccess().isPrivate("board")).isTrue();
        assertThat(hub().queries().roomAccess().mayEnter(intruder, "board")).isFalse();
        assertThat(hub().queries().roomAccess().mayEnter(user("alice"), "board")).isTrue();
        assertThat(hub().queries().roomAccess().mayEnter(owner, "board")).isTrue();
    }

    @Test
    void aPrivateCreateRefusedByTheRoomLimitLeavesNoAccessListBehind() {
        configure(settings -> settings.maxRooms = settings.defaultRooms.size());

        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec("later", null, null), true, Set.of("a")),
                ErrorCode.ROOM_LIMIT_REACHED);

        assertThat(hub().queries().roomAccess().isPrivate("later")).isFalse();
    }

    @Test
    void anInvalidIdIsRefused() {
        for (String id : new String[] {"has space", "-leading", "x".repeat(65), "ünïcode", "a/b"}) {
            assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec(id, null, null)),
                    ErrorCode.INVALID_ROOM_ID);
        }
        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec(null, null, null)),
                ErrorCode.MISSING_FIELD);
        assertThat(hub().queries().stats().totalRooms()).isEqualTo(3);
    }

    @Test
    void theRoomLimitCountsTheDefaultRooms() {
        configure(settings -> settings.maxRooms = settings.defaultRooms.size() + 1);

        hub().admin().createRoom(admin("root"), new RoomSpec("one-more", null, null));
        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec("too-many", null, null)),
                ErrorCode.ROOM_LIMIT_REACHED);

        assertThat(hub().queries().roomExists("one-more")).isTrue();
        assertThat(hub().queries().roomExists("too-many")).isFalse();
        assertThat(hub().queries().stats().totalRooms()).isEqualTo(4);
    }

    @Test
    void nameAndDescriptionLengthsAreLimitedOnBothSides() {
        String longestName = "名".repeat(RoomSpec.MAX_NAME_LENGTH);
        String longestDescription = "😀".repeat(RoomSpec.MAX_DESCRIPTION_LENGTH);

        RoomInfo info = hub().admin().createRoom(admin("root"), new RoomSpec("longest", longestName, longestDescription));
        assertThat(info.name()).isEqualTo(longestName);
        assertThat(info.description()).isEqualTo(longestDescription);

        assertRefused(() -> hub().admin().createRoom(admin("root"), new RoomSpec("name-too-long", longestName + "x", null)),
                ErrorCode.INVALID_FIELD);
        assertRefused(() -> hub().admin().createRoom(admin("root"),
                new RoomSpec("description-too-long", null, longestDescription + "x")), ErrorCode.INVALID_FIELD);
        assertThat(hub().queries().roomExists("name-too-long")).isFalse();
        assertThat(hub().queries().roomExists("description-too-long")).isFalse();
    }
}
