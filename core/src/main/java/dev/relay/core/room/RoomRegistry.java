package dev.relay.core.room;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** All rooms of this server. Lookups are lock-free; creation is serialized so the room limit holds exactly. */
public final class RoomRegistry {
    /** Names and descriptions of the seed's default rooms; other default rooms get their id as name. */
    private static final Map<String, RoomSpec> WELL_KNOWN = Map.of(
            "general", new RoomSpec("general", "General", "通用聊天室"),
            "announcements", new RoomSpec("announcements", "Announcements", "系统公告"),
            "support", new RoomSpec("support", "Support", "技术支持"));

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final RoomContext context;
    /** 0 means no limit. */
    private final int maxRooms;

    public RoomRegistry(RoomContext context, int maxRooms) {
        this.context = context;
        this.maxRooms = maxRooms;
    }

    /** Creates the configured default rooms; they count towards the room limit like any other. */
    public void createDefaults(List<String> ids) {
        for (String id : ids) {
            RoomSpec known = WELL_KNOWN.get(id);
            create(known != null ? known : new RoomSpec(id, id, ""));
        }
    }

    public Room create(RoomSpec spec) {
        return create(spec, () -> { });
    }

    /**
     * Creates the room, running {@code beforeVisible} (e.g. setting its access list) once the room is sure to be
     * created and before anyone can find it: under the lock that serializes creation, after the id and the room
     * limit were checked. A refused create (the id exists, the limit is reached, invalid fields) never runs it, so
     * a refusal changes nothing about an existing room.
     */
    public Room create(RoomSpec spec, Runnable beforeVisible) {
        RoomSpec checked = checked(spec);
        String id = checked.id();
        String name = checked.name();
        String description = checked.description();
        synchronized (this) {
            if (rooms.containsKey(id)) {
                throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room '" + id + "' already exists");
            }
            if (maxRooms > 0 && rooms.size() >= maxRooms) {
                throw new ProtocolException(ErrorCode.ROOM_LIMIT_REACHED,
                        "the server has its maximum of " + maxRooms + " rooms");
            }
            // A store that outlived the last run continues the room's stream; otherwise a new epoch starts at 0.
            StreamPosition start = context.history().lastPosition(id)
                    .orElseGet(() -> new StreamPosition(Epochs.next(), 0));
            Room room = new Room(id, name, description, context.clock().instant(), context, start);
            beforeVisible.run();
            rooms.put(id, room);
            return room;
        }
    }

    /**
     * The spec as a room would be created from it (name defaulting to the id, both stripped), or the error a create
     * would answer for its fields: for checking a room before its id is claimed elsewhere.
     */
    public static RoomSpec checked(RoomSpec spec) {
        String id = spec.id();
        if (id == null || id.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a room needs an id");
        }
        if (!RoomIds.isValid(id)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id '" + id + "': " + RoomIds.RULE);
        }
        String name = spec.name() == null || spec.name().isBlank() ? id : spec.name().strip();
        String description = spec.description() == null ? "" : spec.description().strip();
        if (name.codePointCount(0, name.length()) > RoomSpec.MAX_NAME_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "a room name has at most " + RoomSpec.MAX_NAME_LENGTH + " characters");
        }
        if (description.codePointCount(0, description.length()) > RoomSpec.MAX_DESCRIPTION_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "a room description has at most " + RoomSpec.MAX_DESCRIPTION_LENGTH + " characters");
        }
        return new RoomSpec(id, name, description);
    }

    /** Forgets the room, if it is still the one registered under its id; it no longer counts toward the limit. */
    public boolean remove(Room room) {
        boolean removed = rooms.remove(room.id(), room);
        if (removed) {
            context.history().forget(room.id()); // a room created again under this id starts a new epoch
        }
        return removed;
    }

    /** Removes the room from the registry; its members are the caller's to move out. */
    public Optional<Room> remove(String id) {
        synchronized (this) { // with create(), so the room limit never counts a room twice or not at all
            Optional<Room> removed = Optional.ofNullable(rooms.remove(id));
            removed.ifPresent(room -> context.history().forget(id));
            return removed;
        }
    }

    public Optional<Room> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(rooms.get(id));
    }

    /** The room, or a {@code room_not_found} error. */
    public Room require(String id) {
        Room room = id == null ? null : rooms.get(id);
        if (room == null) {
            throw notFound(id);
        }
        return room;
    }

    /**
     * The one refusal for a room that does not exist, and for a private room to whoever may not enter it: the two
     * must be indistinguishable, or the answer would tell a stranger that a private room exists.
     */
    public static ProtocolException notFound(String id) {
        return new ProtocolException(ErrorCode.ROOM_NOT_FOUND, "room '" + id + "' does not exist");
    }

    public Collection<Room> all() {
        return rooms.values();
    }

    /** Rooms oldest first, ties by id, so listings are stable. */
    public List<Room> sorted() {
        return rooms.values().stream()
                .sorted(Comparator.comparing(Room::createdAt).thenComparing(Room::id))
                .toList();
    }

    public int size() {
        return rooms.size();
    }
}
