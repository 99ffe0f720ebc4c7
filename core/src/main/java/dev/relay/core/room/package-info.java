/** Rooms: named audiences with counters, and the registry that creates them within the room limit. */
package dev.relay.core.room;
