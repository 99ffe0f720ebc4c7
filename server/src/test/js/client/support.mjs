import WebSocket from 'ws';
import { RelayClient } from '../../../main/resources/web/client.js';
import { WS, token, until } from '../relay.mjs';

/** Timers the test releases by hand: reconnects happen exactly when the test says. */
export class HeldTimers {
  constructor() {
    this.scheduled = [];
    this.setTimeout = (fn, ms) => {
      const timer = { fn, ms, done: false };
      this.scheduled.push(timer);
      return timer;
    };
    this.clearTimeout = (timer) => {
      if (timer) timer.done = true;
    };
  }

  /** Delays asked for so far (including cleared ones). */
  get delays() {
    return this.scheduled.map((t) => t.ms);
  }

  /** Runs every pending timer of at least `minMs` (ack timeouts are left alone by default). */
  release(minMs = 0, maxMs = Infinity) {
    // Not the timers these ones schedule: a released reconnect's own connect timeout must wait for the next call.
    for (const timer of [...this.scheduled]) {
      if (!timer.done && timer.ms >= minMs && timer.ms <= maxMs) {
        timer.done = true;
        timer.fn();
      }
    }
  }
}

/** A client for `user` that records everything it hands the application. */
export function client(user, options = {}) {
  const { room, roles, ...rest } = options;
  const url = room ? `${WS}?room_id=${encodeURIComponent(room)}` : WS;
  const relay = new RelayClient(url, { WebSocket, token: token(user, { roles }), initialDelay: 50, ...rest });
  relay.seen = { message: [], private: [], presence: [], binary: [], recovered: [], reload: [], state: [], error: [],
    reconnecting: [], refreshed: [], message_update: [], message_deleted: [], typing: [] };
  for (const event of Object.keys(relay.seen)) relay.on(event, (value) => relay.seen[event].push(value));
  return relay;
}

export const connected = (relay) => until(() => relay.state === 'connected', `${relay.userId ?? 'client'} connected`);

/** Drops the TCP connection under the client, as a network failure would (no close frame). */
export function dropConnection(relay) {
  relay._ws.terminate();
}

export const contents = (frames) => frames.map((m) => m.content);
