package dev.relay.core;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.room.RoomMember;
import dev.relay.core.session.UserInfo;
import dev.relay.core.session.UserStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.relay.core.HubPublishTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/** What {@link HubQueries#user} and {@link HubQueries#roomMembers} report: status, connections, rooms and join times. */
class HubUserInfoTest extends HubTestSupport {

    @Test
    void anOnlineUserIsReportedWithStatusConnectionsAndRooms() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        aliceOnPhone.send(joinRoom(null, "support"));

        UserInfo info = hub().queries().user("alice");

        assertThat(info.userId()).isEqualTo("alice");
        assertThat(info.name()).isEqualTo("Name of alice");
        assertThat(info.status()).isEqualTo(UserStatus.ONLINE);
        assertThat(info.connections()).isEqualTo(2);
        assertThat(info.rooms()).containsExactlyInAnyOrder("general", "support");

        aliceOnPhone.send(leaveRoom(null, "support"));
        alice.send(status(null, "busy"));
        assertThat(hub().queries().user("alice")).satisfies(after -> {
            assertThat(after.rooms()).containsExactly("general");
            assertThat(after.status()).isEqualTo(UserStatus.BUSY);
        });

        alice.disconnect();
        assertThat(hub().queries().user("alice").connections()).isEqualTo(1);
        assertThat(hub().queries().user("alice").rooms()).containsExactly("general");
    }

    @Test
    void aUserInARoomOnlyThroughOneOfTwoConnectionsStaysInItUntilThatOneLeaves() {
        connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "support");

        assertThat(hub().queries().user("alice").rooms()).containsExactlyInAnyOrder("general", "support");
        aliceOnPhone.disconnect();

        assertThat(hub().queries().user("alice").rooms()).containsExactly("general");
    }

    @Test
    void anOfflineUserIsReportedOfflineWithNoConnectionsOrRooms() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(status(null, "busy"));
        alice.disconnect();

        for (String userId : List.of("alice", "never-seen")) {
            assertThat(hub().queries().user(userId)).isEqualTo(new UserInfo(userId, userId, UserStatus.OFFLINE, 0, List.of()));
        }
    }

    @Test
    void aUserComingBackAfterGoingOfflineStartsOnlineAgain() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(status(null, "busy"));
        alice.disconnect();

        connect(loop2, "alice", "support");

        assertThat(hub().queries().user("alice")).satisfies(info -> {
            assertThat(info.status()).isEqualTo(UserStatus.ONLINE);
            assertThat(info.connections()).isEqualTo(1);
            assertThat(info.rooms()).containsExactly("support");
        });
    }

    @Test
    void roomMembersAreListedOldestFirstWithTheirStatus() {
        // Joined in the reverse of alphabetical order, so neither name order nor hash order passes by accident.
        List<String> joinOrder = List.of("zed", "yan", "xia", "wim", "amy");
        Instant[] joinedAt = new Instant[joinOrder.size()];
        for (int i = 0; i < joinOrder.size(); i++) {
            clock.advance(Duration.ofSeconds(1));
            joinedAt[i] = clock.instant();
            connect(i % 2 == 0 ? loop1 : loop2, joinOrder.get(i), "general");
        }
        clock.advance(Duration.ofSeconds(1));
        Client zedAgain = connect(loop3, "zed", "general"); // a second connection keeps the first join time
        zedAgain.send(status(null, "away"));
        connect(loop3, "outsider", "support");

        List<Hub.MemberInfo> members = hub().queries().roomMembers("general");

        assertThat(members).extracting(member -> member.member().userId()).containsExactlyElementsOf(joinOrder);
        assertThat(members).extracting(member -> member.member().joinedAt()).containsExactly(joinedAt);
        assertThat(members.getFirst().member())
                .isEqualTo(new RoomMember("zed", "Name of zed", 2, joinedAt[0]));
        assertThat(members).extracting(Hub.MemberInfo::status).containsExactly(UserStatus.AWAY, UserStatus.ONLINE,
                UserStatus.ONLINE, UserStatus.ONLINE, UserStatus.ONLINE);
        assertThat(members).extracting(member -> member.member().connections()).containsExactly(2, 1, 1, 1, 1);
    }

    @Test
    void leavingAndJoiningAgainMovesAMemberToTheEnd() {
        Client alice = connect(loop1, "alice", "general");
        clock.advance(Duration.ofSeconds(1));
        connect(loop2, "bob", "general");
        clock.advance(Duration.ofSeconds(1));

        alice.send(leaveRoom(null, "general"));
        alice.send(joinRoom(null, "general"));

        assertThat(hub().queries().roomMembers("general")).extracting(member -> member.member().userId())
                .containsExactly("bob", "alice");
        assertThat(hub().queries().roomMembers("general").getLast().member().joinedAt()).isEqualTo(START.plusSeconds(2));
    }

    @Test
    void anEmptyRoomHasNoMembersAndAnUnknownOrInvalidRoomIsRefused() {
        connect(loop1, "alice", "general");

        assertThat(hub().queries().roomMembers("support")).isEmpty();
        assertRefused(() -> hub().queries().roomMembers("nowhere"), ErrorCode.ROOM_NOT_FOUND);
        assertRefused(() -> hub().queries().roomMembers("not valid!"), ErrorCode.INVALID_ROOM_ID);
    }
}
