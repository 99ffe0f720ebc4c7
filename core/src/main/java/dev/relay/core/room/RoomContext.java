package dev.relay.core.room;

import dev.relay.core.codec.Encoder;
import dev.relay.core.history.HistoryStore;

import java.time.Clock;

/** What every room needs from the server around it: encoding, history, time, and who to tell about its users. */
public record RoomContext(Encoder encoder, HistoryStore history, Clock clock, MemberWatch watch) {
    public RoomContext(Encoder encoder, HistoryStore history, Clock clock) {
        this(encoder, history, clock, MemberWatch.NONE);
    }
}
