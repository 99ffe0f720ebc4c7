package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.delivery.DeliveryLane;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomMember;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserInfo;
import dev.relay.core.session.UserStatus;
import dev.relay.core.store.OfflineStats;

import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the REST API, metrics and health read from a running {@link Hub}, changing nothing: stats, rooms and their
 * members, users, and the cluster's counts. Get it from {@link Hub#queries()}. Safe from any thread.
 */
public final class HubQueries {
    private final HubSettings settings;
    private final RoomRegistry rooms;
    private final RoomAccess roomAccess;
    private final UserDirectory users;
    private final RoomMemberships memberships;
    private final Publisher publisher;
    private final ClusterViews clusterViews;
    private final Routing routing;
    /** Null unless this node shares presence with others. */
    private final PresenceStore presenceStore;
    private final AtomicInteger connections;
    private final AtomicLong slowConsumers;
    private final Collection<DeliveryLane> lanes;
    private final Clock clock;

    HubQueries(HubSettings settings, RoomRegistry rooms, RoomAccess roomAccess, UserDirectory users, RoomMemberships memberships,
               Publisher publisher, ClusterViews clusterViews, Routing routing, PresenceStore presenceStore,
               AtomicInteger connections, AtomicLong slowConsumers, Collection<DeliveryLane> lanes, Clock clock) {
        this.settings = settings;
        this.rooms = rooms;
        this.roomAccess = roomAccess;
        this.users = users;
        this.memberships = memberships;
        this.publisher = publisher;
        this.clusterViews = clusterViews;
        this.routing = routing;
        this.presenceStore = presenceStore;
        this.connections = connections;
        this.slowConsumers = slowConsumers;
        this.lanes = lanes;
        this.clock = clock;
    }

    /** Which rooms are private and who may enter them. */
    public RoomAccess roomAccess() {
        return roomAccess;
    }

    public HubStats stats() {
        List<RoomInfo> infos = roomInfos();
        return new HubStats(infos.size(), users.onlineCount(), connections.get(), publisher.totalMessages(),
                slowConsumers.get(), infos, clock.instant());
    }

    public List<RoomInfo> roomInfos() {
        return rooms.sorted().stream().map(Room::info).toList();
    }

    /** The users in a room with their status, oldest member first. */
    public List<Hub.MemberInfo> roomMembers(String roomId) {
        Room room = HubAdmin.existing(rooms, roomId);
        return room.users().stream()
                .sorted(Comparator.comparing(RoomMember::joinedAt).thenComparing(RoomMember::userId))
                .map(member -> new Hub.MemberInfo(member, users.status(member.userId())))
                .toList();
    }

    /**
     * The users in a room on every node, oldest member first; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link #roomMembers}.
     */
    public CompletableFuture<List<Hub.MemberInfo>> clusterMembers(String roomId) {
        return clusterViews.members(roomId, roomMembers(roomId));
    }

    /**
     * Every room with its users and connections on every node; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link #roomInfos}.
     */
    public CompletableFuture<List<RoomInfo>> clusterRoomInfos() {
        return clusterViews.roomInfos(roomInfos());
    }

    /** Online users and connections across the cluster, when this node shares presence with others. */
    public Optional<PresenceStore.ClusterCounts> clusterCounts() {
        return presenceStore == null ? Optional.empty() : Optional.of(presenceStore.counts());
    }

    /** The broker this node publishes through, if it is part of a cluster. */
    public Optional<Broker> broker() {
        return routing.broker();
    }

    /** A user's status, connections and rooms; offline users are reported as such. */
    public UserInfo user(String userId) {
        return users.info(userId).orElseGet(() -> new UserInfo(userId, userId, UserStatus.OFFLINE, 0, List.of()));
    }

    /** True when a live connection of the user is in the room. */
    public boolean isInRoom(String roomId, String userId) {
        return rooms.find(roomId).map(room -> room.hasUser(userId)).orElse(false);
    }

    /**
     * True when the user is a member of the existing room, connected or not: they joined it and have not left, a
     * connection of theirs is in it, or it is a default room (every user's). Who may enter a private room is a
     * separate question ({@link #roomAccess}): ask both.
     */
    public boolean isMember(String roomId, String userId) {
        return rooms.find(roomId).map(room -> settings.defaultRooms().contains(roomId)
                || memberships.isRecorded(userId, roomId) || room.hasUser(userId)).orElse(false);
    }

    /** The existing rooms the user is a {@linkplain #isMember member} of, default rooms included, sorted. */
    public List<String> memberRooms(String userId) {
        TreeSet<String> ids = new TreeSet<>(settings.defaultRooms());
        ids.addAll(memberships.recorded(userId));
        ids.addAll(users.rooms(userId));
        ids.removeIf(roomId -> rooms.find(roomId).isEmpty());
        return List.copyOf(ids);
    }

    /** The rooms a user's live connections are in. */
    public List<String> roomsOf(String userId) {
        return users.rooms(userId);
    }

    public boolean roomExists(String roomId) {
        return rooms.find(roomId).isPresent();
    }

    /** Where a room's stream stands, for clients that want to resume from now. */
    public Optional<StreamPosition> roomPosition(String roomId) {
        return rooms.find(roomId).map(Room::position);
    }

    public int onlineUsers() {
        return users.onlineCount();
    }

    public int connections() {
        return connections.get();
    }

    /** Deliveries waiting on all event loops; near the lane queue limit, publishers start getting overloaded. */
    public int queuedDeliveries() {
        return lanes.stream().mapToInt(DeliveryLane::queued).sum();
    }

    /**
     * Delivery lanes the hub keeps: one per executor that ever had a connection, kept for the hub's life (the event
     * loops, and the one executor all in-process clients share).
     */
    public int deliveryLanes() {
        return lanes.size();
    }

    /** What the holder of offline messages holds and has dropped. */
    public OfflineStats offlineStats() {
        return publisher.offline().stats();
    }
}
