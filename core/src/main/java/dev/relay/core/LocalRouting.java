package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A single node: a room message is placed in its room directly, under the room's lock, and everything meant for
 * other nodes goes nowhere. Stateless; the hot path adds no allocation and no lock to the room's own.
 */
final class LocalRouting implements Routing {
    static final LocalRouting INSTANCE = new LocalRouting();
    /** Nothing to wait for; completed, so no one can complete it again. */
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private LocalRouting() {
    }

    @Override
    public CompletableFuture<Published> toRoom(Room room, ServerMessage draft, String retryKey, Publisher here) {
        ServerMessage placed = room.publish(draft);
        if (placed == null) {
            throw Publisher.overloaded();
        }
        return here.placed(placed);
    }

    @Override
    public CompletableFuture<Published> toUser(Identity from, String to, ServerMessage out, Published pending,
                                               Publisher here) {
        return here.toUserHere(from, to, out, pending);
    }

    @Override
    public CompletableFuture<Published> toEveryone(ServerMessage out, Published pending, Publisher here) {
        here.toEveryoneHere(out);
        return CompletableFuture.completedFuture(pending);
    }

    @Override
    public void updateInRoom(Room room, ServerMessage update, dev.relay.core.codec.EncodedFrame frame) {
        room.update(update, frame);
    }

    @Override
    public void toUserElsewhere(String userId, ServerMessage message) {
    }

    @Override
    public boolean typingInRoom(Room room, ServerMessage typing) {
        return false;
    }

    @Override
    public boolean cancelElsewhere(Identity who, String replyId) {
        return false;
    }

    @Override
    public void hold(Room room) {
    }

    @Override
    public void release(Room room) {
    }

    @Override
    public boolean isCurrent(Room room) {
        return true;
    }

    @Override
    public CompletableFuture<Void> holdUntilCurrent(Room room) {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> followUser(String userId) {
        return DONE;
    }

    @Override
    public void unfollowUser(String userId) {
    }

    @Override
    public void moveElsewhere(String userId, String roomId, boolean join) {
    }

    @Override
    public void shareStatus(String userId) {
    }

    @Override
    public CompletableFuture<Room> create(SharedRoomSpec shared, Supplier<Room> createHere) {
        return CompletableFuture.completedFuture(createHere.get());
    }

    @Override
    public void closed(Room room) {
    }

    @Override
    public Optional<Broker> broker() {
        return Optional.empty();
    }
}
