-- Analytics rollups (issue 20): each node writes its own absolute value per cell, so a batch written twice changes
-- nothing and nodes sharing the database add up when read. minute: epoch minute (UTC); day and month_start: epoch
-- days (UTC), month_start the first day of the day's month, so monthly distinct users need no date functions.
CREATE TABLE analytics_messages (
    node    TEXT   NOT NULL,
    minute  BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    room_id TEXT   NOT NULL,
    user_id TEXT   NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (node, minute, kind, room_id, user_id)
);
CREATE INDEX analytics_messages_minute ON analytics_messages (minute);

CREATE TABLE analytics_figures (
    node   TEXT   NOT NULL,
    minute BIGINT NOT NULL,
    metric TEXT   NOT NULL,
    dim    TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (node, minute, metric, dim)
);
CREATE INDEX analytics_figures_minute ON analytics_figures (minute, metric);

CREATE TABLE analytics_active_users (
    day         BIGINT NOT NULL,
    user_id     TEXT   NOT NULL,
    month_start BIGINT NOT NULL,
    PRIMARY KEY (day, user_id)
);
