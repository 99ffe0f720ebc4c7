-- Room and private messages. pos is the insertion order; created_at is epoch milliseconds.
CREATE TABLE messages (
    pos          BIGSERIAL PRIMARY KEY,
    id           TEXT   NOT NULL UNIQUE,
    type         TEXT   NOT NULL,
    room_id      TEXT,
    sender       TEXT,
    recipient    TEXT,
    conversation TEXT,
    content      TEXT,
    data         TEXT,
    created_at   BIGINT NOT NULL,
    seq          BIGINT,
    epoch        TEXT
);
CREATE INDEX messages_room ON messages (room_id, epoch, seq);
CREATE INDEX messages_conversation ON messages (conversation, created_at);
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_sender ON messages (sender);

-- Trigram index: ILIKE '%...%' finds any substring, Chinese without spaces too, and similarity() ranks.
CREATE INDEX messages_content_trgm ON messages USING gin (content gin_trgm_ops);

-- Private messages held for users with no live connection, in the order they were sent.
CREATE TABLE offline_messages (
    user_id    TEXT   NOT NULL,
    message_id TEXT   NOT NULL,
    held_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE TABLE offline_drops (
    user_id TEXT PRIMARY KEY,
    dropped BIGINT NOT NULL
);
