package dev.relay.core;

import dev.relay.core.Hub.MemberInfo;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.presence.RoomPresenceFeed;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomMember;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the REST API reads about rooms across the cluster (members, counts), from the shared room presence; this
 * node's own view when there is none or it cannot be read.
 */
final class ClusterViews {
    private final RoomPresenceFeed presenceFeed;
    private final UserDirectory users;

    ClusterViews(RoomPresenceFeed presenceFeed, UserDirectory users) {
        this.presenceFeed = presenceFeed;
        this.users = users;
    }

    /**
     * The users in a room on every node, oldest member first; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link HubQueries#roomMembers}.
     */
    CompletableFuture<List<MemberInfo>> members(String roomId, List<MemberInfo> here) {
        RoomPresence shared = presenceFeed.shared();
        if (shared == null) {
            return CompletableFuture.completedFuture(here);
        }
        return shared.members(roomId).handle((members, failure) -> {
            if (failure != null) {
                return here;
            }
            return members.stream()
                    .map(member -> new MemberInfo(new RoomMember(member.userId(), member.name(),
                            member.connections(), member.joinedAt()), statusOf(member)))
                    .sorted(Comparator.comparing((MemberInfo info) -> info.member().joinedAt())
                            .thenComparing(info -> info.member().userId()))
                    .toList();
        });
    }

    /** Connected here, the status this node knows; otherwise the last one announced in the room. */
    private UserStatus statusOf(RoomPresence.Member member) {
        if (users.isOnline(member.userId())) {
            return users.status(member.userId());
        }
        for (UserStatus status : UserStatus.values()) {
            if (status != UserStatus.OFFLINE && status.wireName().equals(member.status())) {
                return status;
            }
        }
        return UserStatus.ONLINE;
    }

    /**
     * Every room with its users and connections on every node; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link HubQueries#roomInfos}.
     */
    CompletableFuture<List<RoomInfo>> roomInfos(List<RoomInfo> here) {
        RoomPresence shared = presenceFeed.shared();
        if (shared == null) {
            return CompletableFuture.completedFuture(here);
        }
        return shared.counts(here.stream().map(RoomInfo::id).toList()).handle((counts, failure) -> {
            if (failure != null) {
                return here;
            }
            return here.stream().map(info -> {
                RoomPresence.Counts count = counts.getOrDefault(info.id(), new RoomPresence.Counts(0, 0));
                return new RoomInfo(info.id(), info.name(), info.description(), count.connections(), count.users(),
                        info.messageCount(), info.createdAt());
            }).toList();
        });
    }

}
