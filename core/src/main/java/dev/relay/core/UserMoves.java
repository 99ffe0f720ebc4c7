package dev.relay.core;

import dev.relay.core.policy.RoomAccess;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Moves a user's connections on this node into or out of a room, each on its own executor and told with
 * {@code joined} or {@code left} (no {@code ref}): when the user joined or left through another connection, through
 * the admin API, or on another node.
 */
final class UserMoves {
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final RoomAccess roomAccess;
    private final Membership membership;
    private final Replies replies;

    UserMoves(RoomRegistry rooms, UserDirectory users, RoomAccess roomAccess, Membership membership, Replies replies) {
        this.rooms = rooms;
        this.users = users;
        this.roomAccess = roomAccess;
        this.membership = membership;
        this.replies = replies;
    }

    /** Puts the user's connections here other than {@code except} (null: all) in the room. */
    CompletableFuture<Integer> joinHere(String userId, Room room, Session except) {
        return onEachSession(userId, session -> {
            // The room may have been closed since it was looked up; entering it now would leave a stale membership.
            if (session != except && session.isOpen() && !session.isIn(room.id())
                    && roomAccess.mayEnter(session.identity(), room.id())
                    && rooms.find(room.id()).orElse(null) == room) {
                membership.enter(session, room);
                replies.send(session, replies.reply(MessageType.JOINED, room.id(), null));
                return true;
            }
            return false;
        });
    }

    /** Takes the user's connections here other than {@code except} (null: all) out of the room. */
    CompletableFuture<Integer> leaveHere(String userId, Room room, Session except) {
        return onEachSession(userId, session -> {
            if (session != except && session.isOpen() && session.isIn(room.id())) {
                membership.exit(session, room);
                replies.send(session, replies.reply(MessageType.LEFT, room.id(), null));
                return true;
            }
            return false;
        });
    }

    private CompletableFuture<Integer> onEachSession(String userId, Predicate<Session> task) {
        List<CompletableFuture<Boolean>> moves = users.sessions(userId).stream()
                .map(session -> CompletableFuture.supplyAsync(() -> task.test(session), session.connection().executor()))
                .toList();
        return CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new))
                .thenApply(done -> (int) moves.stream().filter(CompletableFuture::join).count());
    }
}
