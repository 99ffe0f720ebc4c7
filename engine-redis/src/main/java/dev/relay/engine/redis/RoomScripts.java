package dev.relay.engine.redis;

/**
 * The Lua scripts of {@link RedisRoomPresence}. Every key of one call shares the room's hash tag, so on Redis Cluster
 * a call runs on one shard; Redis runs scripts one at a time, so two nodes changing the same user in the same room
 * never both see themselves as the first (or the last).
 *
 * <p>Per room: {@code on:<node>} (user to "connections joinedAtMillis name", what that node has), {@code nodes}
 * (nodes that may have such an entry), {@code users} (user to the number of nodes they are in the room on: its
 * length is the room's user count), {@code connections} (a counter) and {@code status} (the last status announced
 * per user, or "left" between a departure and the offline that may follow it).
 */
final class RoomScripts {
    /** What {@link #SHARE} answers, as bits. */
    static final long ANNOUNCE = 1;
    static final long OCCUPIED = 2;
    static final long VACATED = 4;

    private RoomScripts() {
    }

    /**
     * KEYS: on, users, connections, nodes, status. ARGV: node, user, connections (0: none left), joinedAt, name,
     * max users (0: no limit), channel (empty: the caller fans out), payload (empty: nothing to announce).
     * Returns flags: {@link #ANNOUNCE} when the change is the user's arrival in the room, or departure from it,
     * cluster-wide and it is to be announced (published already when a channel was given); {@link #OCCUPIED} when
     * that arrival made the room's first user on any node, {@link #VACATED} when that departure took its last. Users
     * counted for a departure include the one leaving, hence 1 for the last.
     */
    static final String SHARE = """
            local old = redis.call('HGET', KEYS[1], ARGV[2])
            local before = 0
            if old then before = tonumber(string.match(old, '^%d+')) end
            local conns = tonumber(ARGV[3])
            if conns ~= before then redis.call('INCRBY', KEYS[3], conns - before) end
            local changed = false
            local users
            if conns > 0 then
              redis.call('HSET', KEYS[1], ARGV[2], conns .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])
              if not old then
                redis.call('SADD', KEYS[4], ARGV[1])
                if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then
                  changed = true
                  redis.call('HDEL', KEYS[5], ARGV[2])
                end
              end
              users = redis.call('HLEN', KEYS[2])
            else
              if not old then return 0 end
              redis.call('HDEL', KEYS[1], ARGV[2])
              if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
                redis.call('HDEL', KEYS[2], ARGV[2])
                redis.call('HSET', KEYS[5], ARGV[2], 'left')
                changed = true
              end
              users = redis.call('HLEN', KEYS[2]) + 1
            end
            local result = 0
            if changed and ARGV[8] ~= '' and (ARGV[6] == '0' or users <= tonumber(ARGV[6])) then
              if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], ARGV[8]) end
              result = ANNOUNCE
            end
            if changed and users == 1 then
              if conns > 0 then result = result + OCCUPIED else result = result + VACATED end
            end
            return result
            """.replace("ANNOUNCE", Long.toString(ANNOUNCE)).replace("OCCUPIED", Long.toString(OCCUPIED))
            .replace("VACATED", Long.toString(VACATED));

    /**
     * KEYS: users, status. ARGV: user, status, max users, channel (empty: the caller fans out), payload. A status is
     * announced once per change while the user is in the room; offline once, after the departure, and only if the
     * user is in the room on no node. Returns 1 when it is to be announced.
     */
    static final String STATUS = """
            local present = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
            local users = redis.call('HLEN', KEYS[1])
            if ARGV[2] == 'offline' then
              if present or redis.call('HGET', KEYS[2], ARGV[1]) ~= 'left' then return 0 end
              redis.call('HDEL', KEYS[2], ARGV[1])
              users = users + 1
            else
              if not present or redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then return 0 end
              redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            end
            if ARGV[3] ~= '0' and users > tonumber(ARGV[3]) then return 0 end
            if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
            return 1
            """;

    /**
     * Makes a node's entry for the room exactly the given users: the start of a node (nobody yet: what an earlier
     * run left goes), a node putting its share back after Redis lost it, and a dead node (nobody: its users go).
     * KEYS: on, users, connections, nodes, status. ARGV: node, then per user: user, connections, joinedAt, name.
     * Returns {users in the room now, {user, name, ...} who arrived, {user, name, ...} who left}, cluster-wide.
     */
    static final String REPLACE = """
            local wanted = {}
            local count = (#ARGV - 1) / 4
            for i = 0, count - 1 do
              local at = 2 + i * 4
              wanted[ARGV[at]] = {ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]}
            end
            local old = redis.call('HGETALL', KEYS[1])
            local had = {}
            local delta = 0
            local departed = {}
            local arrived = {}
            for i = 1, #old, 2 do
              local user = old[i]
              local conns, rest = string.match(old[i + 1], '^(%d+) %d+ (.*)$')
              had[user] = true
              delta = delta - tonumber(conns)
              if not wanted[user] then
                redis.call('HDEL', KEYS[1], user)
                if redis.call('HINCRBY', KEYS[2], user, -1) <= 0 then
                  redis.call('HDEL', KEYS[2], user)
                  redis.call('HDEL', KEYS[5], user)
                  table.insert(departed, user)
                  table.insert(departed, rest)
                end
              end
            end
            for user, entry in pairs(wanted) do
              delta = delta + tonumber(entry[1])
              redis.call('HSET', KEYS[1], user, entry[1] .. ' ' .. entry[2] .. ' ' .. entry[3])
              if not had[user] then
                if redis.call('HINCRBY', KEYS[2], user, 1) == 1 then
                  redis.call('HDEL', KEYS[5], user)
                  table.insert(arrived, user)
                  table.insert(arrived, entry[3])
                end
              end
            end
            if delta ~= 0 then redis.call('INCRBY', KEYS[3], delta) end
            if count > 0 then redis.call('SADD', KEYS[4], ARGV[1]) else redis.call('SREM', KEYS[4], ARGV[1]) end
            return {redis.call('HLEN', KEYS[2]), arrived, departed}
            """;
}
