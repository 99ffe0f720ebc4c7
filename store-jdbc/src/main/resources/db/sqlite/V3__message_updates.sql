-- A message_update replaces a message's content (the final text of a streaming answer): the full-text index follows.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pos, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pos, new.content);
END;
