// Types of Relay's JavaScript client, /ws/client.js. Protocol: docs/protocol.md.

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
export type UserStatus = 'online' | 'away' | 'busy';

/** A frame from the server; fields that do not apply are absent. */
export interface ServerMessage {
  type: string;
  id?: string;
  from?: string;
  to?: string;
  room_id?: string;
  seq?: number;
  epoch?: string;
  content?: string;
  data?: any;
  timestamp?: string;
}

export interface OutgoingMessage {
  type: 'room_message' | 'private_message' | 'broadcast';
  room_id?: string;
  to?: string;
  content?: string;
  data?: unknown;
  /** The client's id; made up when absent. A retry with the same id is not delivered twice. */
  id?: string | number;
}

export interface Ack {
  ref: string | number;
  /** The server's id for the message. */
  id: string;
  /** Its place in the room's stream (room messages only). */
  seq?: number;
  /** A private message to a user with no live connection: held and delivered when they next connect. */
  stored_offline?: boolean;
}

export interface StateChange {
  state: ConnectionState;
  /** The close code, when the state is `disconnected`. */
  code?: number;
  reason?: string;
  /** No reconnect follows: the client is closed (kicked, token refused, closed by the application...). */
  terminal?: boolean;
  clientId?: string;
  userId?: string;
}

export interface RoomPosition {
  room_id: string;
  epoch: string | null;
  seq: number;
}

export interface RelayClientOptions {
  /** The JWT; may also be given as ?token= in the URL. */
  token?: string;
  /** Called for a fresh token before each reconnect and when the server sends `token_expiring`. */
  getToken?: () => string | Promise<string>;
  /** First backoff cap in ms (default 500); doubles per failed attempt. */
  initialDelay?: number;
  /** Largest backoff cap in ms (default 20000). */
  maxDelay?: number;
  /** How long an attempt may go without the server's `welcome`, in ms, before it counts as failed (default 10000; 0: no limit). */
  connectTimeout?: number;
  /** How long a sent message waits for its ack, in ms, while connected (default 10000; 0: forever). */
  ackTimeout?: number;
  /** How many messages may wait for a connection (default 100); more are refused with `queue_full`. */
  queueLimit?: number;
  /** How many server message ids are remembered to drop duplicates (default 5000). */
  dedupWindow?: number;
  /** Connect from the constructor (default true). */
  autoConnect?: boolean;
  /** The WebSocket constructor (default the global one; in Node, the `ws` package's). */
  WebSocket?: any;
  /** For tests: timers and the random source of the backoff jitter. */
  setTimeout?: (fn: () => void, ms: number) => any;
  clearTimeout?: (handle: any) => void;
  random?: () => number;
  /** Used to tell a refused token from a server that is away (default the global fetch). */
  fetch?: typeof fetch;
}

export interface RelayEvents {
  state: StateChange;
  welcome: ServerMessage;
  /** A room message, each once (replays and retries are filtered by id). */
  message: ServerMessage;
  private: ServerMessage;
  broadcast: ServerMessage;
  /** user_joined, user_left and presence frames. */
  presence: ServerMessage;
  /** Binary frames, as ArrayBuffer (Buffer-like in Node with `ws`). */
  binary: ArrayBuffer;
  /** A resume replayed everything missed in the room. */
  recovered: RoomPosition & { replayed: number };
  /** A resume could not replay (e.g. the server restarted): reload the room's state if it matters. */
  reload: RoomPosition;
  /**
   * A message sent earlier (same `id`, same room or conversation) has new `content` and `data`: replace it in place.
   * The AI assistant's answers grow this way; `data.stream.state` is `streaming`, then `done`, `error` or `cancelled`.
   */
  message_update: ServerMessage;
  /** Message `id` was deleted by its author or a moderator; history keeps it with `data.deleted: true`. */
  message_deleted: ServerMessage;
  /** User `from` is typing in `room_id`, or to this user (`to`); treat it as over after 5 s unless another comes. */
  typing: ServerMessage;
  joined: ServerMessage;
  room_closed: ServerMessage;
  token_expiring: ServerMessage;
  refreshed: { token: string };
  /** The server is shutting down; the client reconnects by itself. */
  reconnect: ServerMessage;
  reconnecting: { attempt: number; delay: number };
  /** Error frames that answer no pending request, and client-side failures. */
  error: RelayError | Error;
  /** Every JSON frame from the server, before the client handles it. */
  frame: ServerMessage;
}

export class RelayError extends Error {
  /** The server's `data.code`, or `timeout`, `queue_full`, `closed`, `disconnected`, `unauthorized`. */
  code: string;
  frame?: ServerMessage;
  /** For an error answering the client's own resume or join after a reconnect: the room it stopped resuming. */
  room_id?: string;
}

export class RelayClient {
  constructor(url: string, options?: RelayClientOptions);
  static readonly STATES: { CONNECTING: 'connecting'; CONNECTED: 'connected'; DISCONNECTED: 'disconnected' };
  readonly state: ConnectionState;
  readonly rooms: string[];
  clientId: string | null;
  userId: string | null;
  position(room: string): { epoch: string | null; seq: number } | undefined;
  on<E extends keyof RelayEvents>(event: E, fn: (value: RelayEvents[E]) => void): () => void;
  off<E extends keyof RelayEvents>(event: E, fn: (value: RelayEvents[E]) => void): void;
  connect(): void;
  close(): void;
  /** Resolves with the ack; rejects with the error of the same ref, a timeout, or a full queue. */
  send(message: OutgoingMessage): Promise<Ack>;
  sendToRoom(room: string, content?: string, data?: unknown): Promise<Ack>;
  sendPrivate(to: string, content?: string, data?: unknown): Promise<Ack>;
  broadcast(content?: string, data?: unknown): Promise<Ack>;
  sendBinary(bytes: ArrayBuffer | ArrayBufferView | Blob): void;
  join(room: string): Promise<{ room_id: string; ref: string }>;
  leave(room: string): Promise<{ room_id: string }>;
  setStatus(status: UserStatus): Promise<{ status: UserStatus; ref: string }>;
  ping(): Promise<{ ref: string }>;
  /** Stops the assistant's reply `id`; no ack (its last message_update says `cancelled`). False when not connected. */
  cancel(id: string): boolean;
  /**
   * Edits message `id` this user sent (in `roomId`, or the conversation with `to`); the answer is the
   * `message_update` event, a refusal an `error` event with `frame.data.ref` equal to the returned ref. Null when
   * not connected.
   */
  edit(id: string, content: string, where: { roomId?: string; to?: string }): string | null;
  /**
   * Deletes message `id` (own, or anyone's with a role in `moderator_roles`); the answer is the `message_deleted`
   * event, a refusal an `error` event with `frame.data.ref` equal to the returned ref. Null when not connected.
   */
  delete(id: string, where: { roomId?: string; to?: string }): string | null;
  /** Tells the others in `roomId`, or user `to`, that this user is typing (at most one per 2 s is passed on). */
  typing(where: { roomId?: string; to?: string }): boolean;
  /** The delay before reconnect attempt `attempt` (0-based): random() × min(maxDelay, initialDelay × 2^attempt). */
  backoffDelay(attempt: number): number;
}

export function tokenSubject(token: string): string | null;

export default RelayClient;
