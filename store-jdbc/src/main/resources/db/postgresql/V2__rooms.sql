-- Rooms created at runtime, so they exist again after a restart. allowed: NULL for a public room, else the user ids
-- that may enter, one per line.
CREATE TABLE rooms (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    description TEXT,
    allowed     TEXT,
    created_at  BIGINT  NOT NULL
);
