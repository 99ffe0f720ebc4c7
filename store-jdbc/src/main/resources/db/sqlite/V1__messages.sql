-- Room and private messages. pos is the insertion order; created_at is epoch milliseconds.
CREATE TABLE messages (
    pos          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    room_id      TEXT,
    sender       TEXT,
    recipient    TEXT,
    conversation TEXT,
    content      TEXT,
    data         TEXT,
    created_at   INTEGER NOT NULL,
    seq          INTEGER,
    epoch        TEXT
);
CREATE INDEX messages_room ON messages (room_id, epoch, seq);
CREATE INDEX messages_conversation ON messages (conversation, created_at);
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_sender ON messages (sender);

-- Full text with the trigram tokenizer: finds any substring of 3 characters or more, Chinese without spaces too.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='pos', tokenize='trigram');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.pos, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pos, old.content);
END;

-- Private messages held for users with no live connection, in the order they were sent.
CREATE TABLE offline_messages (
    user_id    TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    held_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE TABLE offline_drops (
    user_id TEXT PRIMARY KEY,
    dropped INTEGER NOT NULL
);
