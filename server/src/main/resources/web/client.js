// Relay's JavaScript client: one WebSocket to /ws/connect with auto-reconnect, resume, acks and an offline queue.
// An ES module with no dependencies and no build step; the types are in client.d.ts beside it.
// Protocol: docs/protocol.md.

const STATES = Object.freeze({ CONNECTING: 'connecting', CONNECTED: 'connected', DISCONNECTED: 'disconnected' });

// Close codes after which reconnecting the same way cannot help (docs/protocol.md, "Close codes"): a protocol or
// payload fault, the rate-limit close, a message too big, and an administrator's disconnect.
const TERMINAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 4403]);
const TOKEN_EXPIRED = 4401;
const ROOM_GONE = 4404;
// What a browser reports for a connection that ended without a close frame; the client's own timeout is one.
const CONNECT_TIMEOUT = 1006;

const ACKED_TYPES = new Set(['room_message', 'private_message', 'broadcast']);
const ANSWERS = new Set(['ack', 'joined', 'left', 'status', 'refreshed', 'resumed', 'pong']);

/** Error with the server's machine code (`data.code` of an error frame) or one of the client's own. */
export class RelayError extends Error {
  constructor(code, message, frame) {
    super(message);
    this.name = 'RelayError';
    this.code = code;
    this.frame = frame;
  }
}

export class RelayClient {
  /**
   * @param {string} url  ws(s)://host:port/ws/connect, optionally with ?room_id=ROOM (the first room; default general)
   * @param {object} [options] see client.d.ts
   */
  constructor(url, options = {}) {
    const parsed = new URL(url);
    this.options = {
      initialDelay: 500,
      maxDelay: 20_000,
      connectTimeout: 10_000,
      ackTimeout: 10_000,
      queueLimit: 100,
      dedupWindow: 5000,
      autoConnect: true,
      ...options,
    };
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (!this._WebSocket) {
      throw new TypeError('no WebSocket implementation: pass options.WebSocket (e.g. the "ws" package in Node)');
    }
    this._setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this._clearTimeout = options.clearTimeout ?? ((handle) => clearTimeout(handle));
    this._random = options.random ?? Math.random;
    this._fetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
    this._token = options.token ?? parsed.searchParams.get('token') ?? null;
    this._firstRoom = parsed.searchParams.get('room_id') || 'general';
    for (const key of ['room_id', 'token', 'since', 'epoch']) parsed.searchParams.delete(key);
    this._base = parsed.toString();
    this._listeners = new Map();
    this._rooms = new Map([[this._firstRoom, { epoch: null, seq: 0 }]]);
    this._state = STATES.DISCONNECTED;
    this._ws = null;
    this._attempt = 0;
    this._timer = null;
    this._connectTimer = null;
    this._closedByUser = false;
    this._pending = new Map(); // id -> { frame, resolve, reject, timer, sent }
    this._queue = []; // ids of frames waiting for a connection, in order
    this._seen = new Set(); // server message ids already handed to the application
    this._seenOrder = [];
    this._status = null;
    this._prefix = randomId();
    this._counter = 0;
    this._order = 0;
    this._rejoins = new Map(); // ids of the resumes and joins sent after a reconnect -> room
    // Rooms left while disconnected. The server keeps the user's rooms across connections and would put the next
    // one back in them, so it leaves them right after its welcome.
    this._leftWhileAway = new Set();
    this.clientId = null;
    this.userId = null;
    if (this.options.autoConnect) this.connect();
  }

  /** `connecting`, `connected` or `disconnected`. */
  get state() {
    return this._state;
  }

  /** The rooms this client is in (and resumes after a reconnect). */
  get rooms() {
    return [...this._rooms.keys()];
  }

  /** Where each room's stream was last seen: `{ epoch, seq }`. */
  position(room) {
    const p = this._rooms.get(room);
    return p ? { ...p } : undefined;
  }

  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this.off(event, fn);
  }

  off(event, fn) {
    this._listeners.get(event)?.delete(fn);
  }

  /** Opens the connection (done by the constructor unless `autoConnect: false`). */
  connect() {
    this._closedByUser = false;
    if (this._ws || this._timer || this._opening) return;
    this._open();
  }

  /** Closes for good: no reconnect; queued and unanswered messages are rejected. */
  close() {
    this._closedByUser = true;
    if (this._timer) {
      this._clearTimeout(this._timer);
      this._timer = null;
    }
    this._stopConnectTimer();
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      detach(ws);
      try { ws.close(1000); } catch { /* already closing */ }
    }
    this._failAll(new RelayError('closed', 'the client was closed'));
    this._setState(STATES.DISCONNECTED, { code: 1000, reason: 'closed by the client' });
  }

  /**
   * Sends a room message, private message or broadcast; resolves with the ack's data ({ ref, id, seq }).
   * Accepts a frame (`{ type, room_id | to, content, data, id }`); without an `id` the client makes one.
   */
  send(message) {
    if (!message || typeof message !== 'object') return Promise.reject(new TypeError('send needs a message object'));
    const frame = { ...message };
    if (frame.id === undefined || frame.id === null) frame.id = this._nextId();
    if (frame.type === 'room_message' && frame.room_id && !this._rooms.has(frame.room_id)) {
      return Promise.reject(new RelayError('not_member', `not in room '${frame.room_id}'; join it first`));
    }
    return this._request(frame);
  }

  sendToRoom(room, content, data) {
    return this.send(withoutUndefined({ type: 'room_message', room_id: room, content, data }));
  }

  sendPrivate(to, content, data) {
    return this.send(withoutUndefined({ type: 'private_message', to, content, data }));
  }

  broadcast(content, data) {
    return this.send(withoutUndefined({ type: 'broadcast', content, data }));
  }

  /** Binary frames go to every other connection sharing a room; they are not queued and get no ack. */
  sendBinary(bytes) {
    if (this._state !== STATES.CONNECTED) throw new RelayError('disconnected', 'binary frames are not queued');
    this._ws.send(bytes);
  }

  /** Joins a room; it is then resumed after every reconnect. Resolves when the server answers `joined`. */
  join(room) {
    const known = this._rooms.has(room);
    this._leftWhileAway.delete(room);
    if (!known) this._rooms.set(room, { epoch: null, seq: 0 });
    return this._request({ type: 'join_room', room_id: room, id: this._nextId() }).catch((e) => {
      if (!known) this._rooms.delete(room);
      throw e;
    });
  }

  /** Leaves a room. */
  leave(room) {
    if (!this._rooms.has(room)) return Promise.resolve({ room_id: room });
    this._rooms.delete(room);
    if (this._state !== STATES.CONNECTED) {
      this._leftWhileAway.add(room); // not resumed on reconnect, and left there
      return Promise.resolve({ room_id: room });
    }
    return this._request({ type: 'leave_room', room_id: room, id: this._nextId() });
  }

  /** `online`, `away` or `busy`; kept across reconnects. */
  setStatus(status) {
    this._status = status;
    return this._request({ type: 'status', content: status, id: this._nextId() });
  }

  ping() {
    return this._request({ type: 'ping', id: this._nextId() });
  }

  /**
   * Asks the server to stop generating the reply `id` (an AI assistant's answer). It has no ack: the reply's last
   * `message_update` (state `cancelled`) is the answer, an `error` event the refusal. False when not connected (a
   * cancel is not queued: the answer it would stop runs on).
   */
  cancel(id) {
    if (this._state !== STATES.CONNECTED) return false;
    this._write({ type: 'cancel', id: this._nextId(), data: { id } });
    return true;
  }

  /**
   * Replaces the text of message `id` that this user sent, in `{ roomId }` or the conversation with `{ to }`. The
   * answer is the `message_update` event (with `data.edited_at`) every recipient gets; a refusal (`forbidden`: not
   * the author or past `edit_window`, `not_found`) is an `error` event whose `frame.data.ref` is the returned ref.
   * Returns that ref, or null when not connected (an edit is not queued).
   */
  edit(id, content, { roomId, to } = {}) {
    if (this._state !== STATES.CONNECTED) return null;
    const ref = this._nextId();
    this._write(withoutUndefined({ type: 'edit_message', id: ref, room_id: roomId, to, content, data: { id } }));
    return ref;
  }

  /**
   * Deletes message `id` (this user's own, or anyone's for a role in `moderator_roles`) in `{ roomId }` or the
   * conversation with `{ to }`. The answer is the `message_deleted` event its audience gets; a refusal is an `error`
   * event with `frame.data.ref` equal to the returned ref. Null when not connected.
   */
  delete(id, { roomId, to } = {}) {
    if (this._state !== STATES.CONNECTED) return null;
    const ref = this._nextId();
    this._write(withoutUndefined({ type: 'delete_message', id: ref, room_id: roomId, to, data: { id } }));
    return ref;
  }

  /**
   * Tells the others in `{ roomId }` or user `{ to }` that this user is typing. Call it as the user types: the
   * server passes on at most one every 2 s. Never queued or acked; false when not connected.
   */
  typing({ roomId, to } = {}) {
    if (this._state !== STATES.CONNECTED) return false;
    this._write(withoutUndefined({ type: 'typing', room_id: roomId, to }));
    return true;
  }

  // ---- connection -------------------------------------------------------------------------------------------

  async _open() {
    this._setState(STATES.CONNECTING);
    if ((this._attempt > 0 || !this._token) && this.options.getToken) {
      this._opening = true; // connect() while getToken runs must not open a second socket
      try {
        this._token = await this.options.getToken();
      } catch (e) {
        this._emit('error', new RelayError('token', 'getToken failed: ' + (e?.message ?? e)));
      } finally {
        this._opening = false;
      }
      if (this._closedByUser) return;
    }
    const connectRoom = this._rooms.has(this._firstRoom) ? this._firstRoom : (this._rooms.keys().next().value ?? this._firstRoom);
    const url = new URL(this._base);
    url.searchParams.set('room_id', connectRoom);
    if (this._token) url.searchParams.set('token', this._token);
    const position = this._rooms.get(connectRoom);
    if (position?.epoch) {
      url.searchParams.set('since', String(position.seq));
      url.searchParams.set('epoch', position.epoch);
    }
    let ws;
    try {
      ws = new this._WebSocket(url.toString());
    } catch (e) {
      this._emit('error', new RelayError('connect', String(e?.message ?? e)));
      this._scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    this._welcomed = false;
    this._connectRoom = connectRoom;
    ws.onmessage = (event) => this._onFrame(event.data);
    ws.onerror = () => { /* the close that follows says what happened */ };
    ws.onclose = (event) => this._onClose(ws, event.code, event.reason);
    // A connection that neither opens nor fails (a peer that accepted TCP and went quiet, a half-open path) would
    // otherwise hold the client in `connecting` for as long as the browser's own timeout, minutes in Chromium.
    if (this.options.connectTimeout > 0) {
      this._connectTimer = this._setTimeout(() => {
        this._connectTimer = null;
        if (ws !== this._ws || this._welcomed) return;
        this._emit('error', new RelayError('timeout', `no welcome within ${this.options.connectTimeout} ms`));
        try { ws.close(); } catch { /* not open yet */ }
        this._onClose(ws, CONNECT_TIMEOUT, 'connect timeout');
      }, this.options.connectTimeout);
    }
  }

  _stopConnectTimer() {
    if (this._connectTimer) {
      this._clearTimeout(this._connectTimer);
      this._connectTimer = null;
    }
  }

  _onClose(ws, code, reason) {
    if (ws !== this._ws) return;
    this._stopConnectTimer();
    detach(ws);
    this._ws = null;
    const welcomed = this._welcomed;
    for (const entry of this._pending.values()) {
      if (entry.timer) this._clearTimeout(entry.timer);
      entry.timer = null;
      if (entry.sent) {
        entry.sent = false;
        this._queue.push(entry.frame.id);
      }
    }
    // Keep the original order: what was in flight goes back ahead of what was queued later.
    this._queue.sort((a, b) => this._pending.get(a).order - this._pending.get(b).order);
    const detail = { code, reason };
    if (this._closedByUser) return;
    if (TERMINAL_CLOSE_CODES.has(code) || (code === TOKEN_EXPIRED && !this.options.getToken)) {
      this._closedByUser = true;
      this._failAll(new RelayError(code === 4403 ? 'disconnected' : 'closed', `closed with ${code} ${reason ?? ''}`.trim()));
      this._setState(STATES.DISCONNECTED, { ...detail, terminal: true });
      return;
    }
    if (code === ROOM_GONE) this._rooms.delete(this._connectRoom);
    this._setState(STATES.DISCONNECTED, detail);
    if (!welcomed) {
      this._checkRefused().then((terminal) => {
        if (!terminal) this._scheduleReconnect();
      });
      return;
    }
    this._scheduleReconnect();
  }

  // A browser does not show why an upgrade was refused. One REST call with the same token and room tells a refused
  // token (terminal unless getToken can offer another) and a room that is gone from a server that is away.
  async _checkRefused() {
    if (!this._fetch || !this._token) return false;
    const room = this._connectRoom;
    const http = new URL(this._base);
    http.protocol = http.protocol === 'wss:' ? 'https:' : 'http:';
    http.pathname = '/ws/rooms/' + encodeURIComponent(room) + '/members';
    http.search = '';
    try {
      // Bounded like the connection itself: a check that never answers must not stop the reconnects.
      const timeout = this.options.connectTimeout > 0 && globalThis.AbortSignal?.timeout
        ? AbortSignal.timeout(this.options.connectTimeout) : undefined;
      const response = await this._fetch(http.toString(), {
        headers: { Authorization: 'Bearer ' + this._token }, signal: timeout,
      });
      if (response.status === 404 && this._rooms.has(room)) {
        this._rooms.delete(room);
        this._emit('error', new RelayError('room_not_found', `room '${room}' no longer exists`));
        if (this._rooms.size > 0) return false;
      }
      if (response.status === 404 || (response.status === 401 && !this.options.getToken)) {
        const code = response.status === 401 ? 'unauthorized' : 'room_not_found';
        this._closedByUser = true;
        this._failAll(new RelayError(code, code === 'unauthorized' ? 'the server refused the token' : `room '${room}' does not exist`));
        this._setState(STATES.DISCONNECTED, { code: response.status, reason: code, terminal: true });
        return true;
      }
      return false;
    } catch {
      return false;
    }
  }

  /** Milliseconds before the next attempt: full jitter over an exponentially growing cap. */
  backoffDelay(attempt) {
    const cap = Math.min(this.options.maxDelay, this.options.initialDelay * 2 ** attempt);
    return Math.floor(this._random() * cap);
  }

  _scheduleReconnect() {
    if (this._closedByUser || this._timer) return;
    const delay = this.backoffDelay(this._attempt);
    this._attempt++;
    this._emit('reconnecting', { attempt: this._attempt, delay });
    this._timer = this._setTimeout(() => {
      this._timer = null;
      if (!this._closedByUser) this._open();
    }, delay);
  }

  _onWelcome(frame) {
    this._stopConnectTimer();
    this._welcomed = true;
    this._attempt = 0;
    this._rejoins.clear();
    this.clientId = frame.data?.client_id ?? null;
    this.userId = frame.data?.user_id ?? null;
    const rooms = [...this._rooms.keys()];
    if (!this._rooms.has(this._connectRoom)) {
      // Connected through a room this client has left: leave it again.
      this._write({ type: 'leave_room', room_id: this._connectRoom });
    }
    for (const room of this._leftWhileAway) {
      if (room !== this._connectRoom && !this._rooms.has(room)) this._write({ type: 'leave_room', room_id: room });
    }
    this._leftWhileAway.clear();
    for (const room of rooms) {
      if (room === this._connectRoom) continue;
      const p = this._rooms.get(room);
      const id = this._nextId();
      this._rejoins.set(id, room);
      if (p.epoch) this._write({ type: 'resume', room_id: room, id, data: { since: p.seq, epoch: p.epoch } });
      else this._write({ type: 'join_room', room_id: room, id });
    }
    if (this._status && this._status !== 'online') this._write({ type: 'status', content: this._status });
    this._setState(STATES.CONNECTED, { clientId: this.clientId, userId: this.userId });
    this._emit('welcome', frame);
    this._flush();
  }

  _setState(state, detail = {}) {
    if (this._state === state && state !== STATES.DISCONNECTED) return;
    this._state = state;
    this._emit('state', { state, ...detail });
  }

  // ---- requests, acks and the offline queue -----------------------------------------------------------------

  _nextId() {
    return `${this._prefix}-${++this._counter}`;
  }

  _request(frame) {
    if (this._closedByUser && this._state === STATES.DISCONNECTED && !this._ws && !this._timer) {
      return Promise.reject(new RelayError('closed', 'the client is closed'));
    }
    if (this._pending.has(frame.id)) return this._pending.get(frame.id).promise;
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    const queued = [...this._pending.values()].filter((e) => !e.sent).length;
    if (this._state !== STATES.CONNECTED && queued >= this.options.queueLimit) {
      return Promise.reject(new RelayError('queue_full', `${queued} messages are already waiting for a connection`));
    }
    const entry = { frame, resolve, reject, promise, timer: null, sent: false, order: ++this._order };
    this._pending.set(frame.id, entry);
    if (this._state === STATES.CONNECTED) this._transmit(entry);
    else this._queue.push(frame.id);
    return promise;
  }

  _transmit(entry) {
    entry.sent = true;
    this._write(entry.frame);
    if (this.options.ackTimeout > 0) {
      entry.timer = this._setTimeout(() => {
        this._pending.delete(entry.frame.id);
        entry.reject(new RelayError('timeout', `no answer to ${entry.frame.type} ${entry.frame.id} within ${this.options.ackTimeout} ms`));
      }, this.options.ackTimeout);
    }
  }

  _flush() {
    const ids = this._queue;
    this._queue = [];
    for (const id of ids) {
      const entry = this._pending.get(id);
      if (entry && !entry.sent) this._transmit(entry);
    }
  }

  _settle(ref, error, value) {
    const entry = this._pending.get(ref);
    if (!entry) return false;
    this._pending.delete(ref);
    if (entry.timer) this._clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(value);
    return true;
  }

  _failAll(error) {
    for (const entry of this._pending.values()) {
      if (entry.timer) this._clearTimeout(entry.timer);
      entry.reject(error);
    }
    this._pending.clear();
    this._queue = [];
  }

  _write(frame) {
    this._ws.send(JSON.stringify(frame));
  }

  // ---- incoming frames --------------------------------------------------------------------------------------

  _onFrame(raw) {
    if (typeof raw !== 'string') {
      this._emit('binary', raw);
      return;
    }
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      this._emit('error', new RelayError('invalid_json', 'the server sent a frame that is not JSON'));
      return;
    }
    this._emit('frame', frame);
    const ref = frame.data?.ref;
    if (ref !== undefined && frame.type !== 'error') this._rejoins.delete(ref);
    switch (frame.type) {
      case 'welcome':
        this._onWelcome(frame);
        return;
      case 'room_message':
        this._onRoomMessage(frame);
        return;
      case 'private_message':
        if (this._firstSighting(frame.id)) this._emit('private', frame);
        return;
      case 'message_update':
        // A message shown earlier has new content (an answer growing in place): replace it by id.
        this._emit('message_update', frame);
        return;
      case 'message_deleted':
        // A message shown earlier was deleted: show it as deleted (history keeps it with data.deleted).
        this._emit('message_deleted', frame);
        return;
      case 'typing':
        // Someone else is typing (`from`, in `room_id` or to us); show it for 5 s unless another comes.
        this._emit('typing', frame);
        return;
      case 'broadcast':
        if (this._firstSighting(frame.id)) this._emit('broadcast', frame);
        return;
      case 'user_joined':
      case 'user_left':
      case 'presence':
        this._emit('presence', frame);
        return;
      case 'resumed':
        this._onResumed(frame);
        if (ref !== undefined) this._settle(ref, null, frame.data);
        return;
      case 'joined':
        // Without a ref, the user joined elsewhere (another tab, the REST API): membership is the user's.
        if (!this._rooms.has(frame.room_id)) this._rooms.set(frame.room_id, { epoch: null, seq: 0 });
        if (ref !== undefined) this._settle(ref, null, { room_id: frame.room_id, ...frame.data });
        this._emit('joined', frame);
        return;
      case 'left':
        // Without a ref, the user left elsewhere: forget the room, or the next reconnect would join it again.
        if (ref === undefined) this._rooms.delete(frame.room_id);
        if (ref !== undefined) this._settle(ref, null, { room_id: frame.room_id, ...frame.data });
        return;
      case 'room_closed':
        this._rooms.delete(frame.room_id);
        this._emit('room_closed', frame);
        return;
      case 'token_expiring':
        this._refreshToken(frame);
        return;
      case 'reconnect':
        this._emit('reconnect', frame);
        return;
      case 'error': {
        const error = new RelayError(frame.data?.code ?? 'error', frame.content ?? 'error', frame);
        if (ref !== undefined && this._rejoins.has(ref)) {
          // The room could not be entered again (closed, or gone with a restart): stop resuming it.
          error.room_id = this._rejoins.get(ref);
          this._rejoins.delete(ref);
          this._rooms.delete(error.room_id);
        }
        if (ref !== undefined && this._settle(ref, error)) return;
        this._emit('error', error);
        return;
      }
      default:
        if (ANSWERS.has(frame.type) && ref !== undefined) this._settle(ref, null, frame.data);
    }
  }

  _onRoomMessage(frame) {
    let p = this._rooms.get(frame.room_id);
    if (!p) {
      p = { epoch: null, seq: 0 };
      this._rooms.set(frame.room_id, p);
    }
    if (frame.epoch !== undefined && frame.seq !== undefined) {
      if (p.epoch !== frame.epoch) {
        p.epoch = frame.epoch;
        p.seq = frame.seq;
      } else if (frame.seq > p.seq) {
        p.seq = frame.seq;
      }
    }
    if (this._firstSighting(frame.id)) this._emit('message', frame);
  }

  _onResumed(frame) {
    const room = frame.room_id;
    const data = frame.data ?? {};
    const p = this._rooms.get(room) ?? { epoch: null, seq: 0 };
    this._rooms.set(room, p);
    if (data.recovered) {
      if (data.epoch) p.epoch = data.epoch;
      if (typeof data.seq === 'number' && data.seq > p.seq) p.seq = data.seq;
      this._emit('recovered', { room_id: room, replayed: data.replayed ?? 0, epoch: p.epoch, seq: p.seq });
      return;
    }
    const fresh = p.epoch !== data.epoch;
    p.epoch = data.epoch ?? null;
    p.seq = typeof data.seq === 'number' ? data.seq : 0;
    this._emit('reload', { room_id: room, epoch: p.epoch, seq: p.seq });
    // A new epoch (the server restarted) began with messages published before this connection was back, often
    // by clients that reconnected first; ask for them from the start of the epoch. Messages already delivered
    // live are filtered by id, so nothing is handed over twice.
    if (fresh && p.epoch && p.seq > 0 && this._state === STATES.CONNECTED) {
      this._write({ type: 'resume', room_id: room, data: { since: 0, epoch: p.epoch } });
    }
  }

  async _refreshToken(frame) {
    this._emit('token_expiring', frame);
    if (!this.options.getToken) return;
    try {
      const token = await this.options.getToken();
      if (!token) return;
      this._token = token;
      if (this._state === STATES.CONNECTED) {
        await this._request({ type: 'refresh', id: this._nextId(), data: { token } });
        this._emit('refreshed', { token });
      }
    } catch (e) {
      this._emit('error', e instanceof RelayError ? e : new RelayError('refresh', String(e?.message ?? e)));
    }
  }

  _firstSighting(id) {
    if (id === undefined || id === null) return true;
    if (this._seen.has(id)) return false;
    this._seen.add(id);
    this._seenOrder.push(id);
    if (this._seenOrder.length > this.options.dedupWindow) this._seen.delete(this._seenOrder.shift());
    return true;
  }

  _emit(event, value) {
    const listeners = this._listeners.get(event);
    if (!listeners) return;
    for (const fn of [...listeners]) {
      try {
        fn(value);
      } catch (e) {
        if (event !== 'error') this._emit('error', e);
      }
    }
  }
}

RelayClient.STATES = STATES;

function detach(ws) {
  ws.onmessage = ws.onclose = null;
  // Not null: closing a socket that is still connecting makes Node's `ws` emit an error, fatal with no listener.
  ws.onerror = ignore;
}

function ignore() {}

function withoutUndefined(frame) {
  for (const key of Object.keys(frame)) if (frame[key] === undefined) delete frame[key];
  return frame;
}

function randomId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}

/** The `sub` claim of a JWT, read without checking it (the server does that). */
export function tokenSubject(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = typeof atob === 'function' ? atob(payload) : Buffer.from(payload, 'base64').toString('binary');
    return JSON.parse(decodeURIComponent(escape(json))).sub ?? null;
  } catch {
    return null;
  }
}

export default RelayClient;
