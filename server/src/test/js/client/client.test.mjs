// RelayClient against a real Relay server (started by JavaScriptClientIT; see ../relay.mjs for the environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { RelayClient } from '../../../main/resources/web/client.js';
import { HTTP, createRoom, rest, token, uniqueRoom, uniqueUser, until } from '../relay.mjs';
import { HeldTimers, client, connected, contents, dropConnection } from './support.mjs';

test('backoff doubles its cap from 500 ms to 20 s and draws the delay uniformly below it (full jitter)', () => {
  let draw = 0.999999;
  const relay = new RelayClient('ws://127.0.0.1:1/ws/connect', { WebSocket, autoConnect: false, random: () => draw });
  const caps = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => relay.backoffDelay(attempt));
  assert.deepEqual(caps, [499, 999, 1999, 3999, 7999, 15999, 19999, 19999, 19999]);
  draw = 0;
  assert.equal(relay.backoffDelay(5), 0);
  draw = 0.5;
  assert.equal(relay.backoffDelay(2), 1000);
});

test('a server that does not answer is retried with growing delays from the injected timers', async () => {
  const timers = new HeldTimers();
  // Port 1 on loopback refuses connections: every attempt fails at once.
  const relay = new RelayClient('ws://127.0.0.1:1/ws/connect', {
    WebSocket, token: token('nobody'), random: () => 0.5, setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout, connectTimeout: 0,
  });
  const states = [];
  relay.on('state', (s) => states.push(s.state));
  for (let attempt = 1; attempt <= 4; attempt++) {
    await until(() => timers.scheduled.filter((t) => !t.done).length === 1, `attempt ${attempt} to fail`);
    timers.release();
  }
  await until(() => timers.scheduled.filter((t) => !t.done).length === 1, 'the fifth attempt to fail');
  assert.deepEqual(timers.delays, [250, 500, 1000, 2000, 4000]);
  assert.ok(states.includes('connecting') && states.includes('disconnected'));
  assert.equal(relay.state, 'disconnected'); // waiting for the next timer
  relay.close();
  assert.equal(relay.state, 'disconnected');
});

test('a server that accepts the connection and never answers is given up after connectTimeout, then retried', async () => {
  const accepted = [];
  const requests = [];
  const silent = net.createServer((socket) => { // reads every request, answers none
    accepted.push(socket);
    socket.on('data', (bytes) => requests.push(String(bytes).split(' ', 2).join(' ')));
  });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address();
  const relay = new RelayClient(`ws://127.0.0.1:${port}/ws/connect`, {
    WebSocket, token: token('nobody'), connectTimeout: 300, initialDelay: 50, maxDelay: 50,
  });
  const errors = [];
  const states = [];
  relay.on('error', (e) => errors.push(e.code));
  relay.on('state', (s) => states.push(s.reason ? `${s.state} (${s.reason})` : s.state));
  try {
    // The WebSocket and the refusal check that follows it (a GET to the same silent port) are both cut off.
    const upgrades = () => requests.filter((r) => r.startsWith('GET /ws/connect')).length;
    await until(() => upgrades() >= 2, 'a second attempt after the first was cut off', 10_000);
    assert.ok(requests.includes('GET /ws/rooms/general/members'), `the refusal check was made: ${requests}`);
    assert.ok(errors.includes('timeout'), `a timeout error among ${errors}`);
    assert.deepEqual(states.slice(0, 2), ['disconnected (connect timeout)', 'connecting']); // the first came from new
    assert.notEqual(relay.state, 'connected');
  } finally {
    relay.close();
    for (const socket of accepted) socket.destroy();
    silent.close();
  }
});

test('a connection welcomed within connectTimeout stays open past it', async () => {
  // A first connection warms the server's connect path, so that the timed one is welcomed well within its timeout
  // even on a cold, loaded machine (300 ms was once not enough for the very first handshake).
  const warmup = client(uniqueUser('early'));
  await connected(warmup);
  warmup.close();
  const relay = client(uniqueUser('patient'), { connectTimeout: 2000 });
  try {
    await connected(relay);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(relay.state, 'connected');
    assert.deepEqual(relay.seen.error.map((e) => e.code), []);
    assert.deepEqual(relay.seen.state.map((s) => s.state).filter((s) => s === 'disconnected'), []);
  } finally {
    relay.close();
  }
});

test('a room message is acked with the server id and seq, and handed to the application once', async () => {
  const room = uniqueRoom('acks');
  await createRoom(room);
  const alice = client(uniqueUser('alice'), { room });
  const bob = client(uniqueUser('bob'), { room });
  await Promise.all([connected(alice), connected(bob)]);
  const ack = await alice.sendToRoom(room, 'hello', { emoji: '👋' });
  assert.match(ack.id, /^[0-9A-Z]{20}$/);
  assert.equal(ack.seq, 1);
  await until(() => bob.seen.message.length === 1 && alice.seen.message.length === 1, 'both to get the message');
  assert.equal(bob.seen.message[0].id, ack.id);
  assert.deepEqual(bob.seen.message[0].data, { emoji: '👋' });
  assert.deepEqual(alice.position(room), { epoch: bob.seen.message[0].epoch, seq: 1 });
  alice.close();
  bob.close();
});

test('an error frame with the same ref rejects the send with its code', async () => {
  const alice = client(uniqueUser('alice'));
  await connected(alice);
  await assert.rejects(alice.sendPrivate('not a user id!', 'psst'), { code: 'invalid_field' });
  // Someone offline is not a refusal: the server holds the message and says so in the ack.
  const held = await alice.sendPrivate(uniqueUser('nobody'), 'psst');
  assert.equal(held.stored_offline, true);
  // Over max_message_length (1,000) yet within max_message_size (8 KiB) once inflated: ws compresses what it sends,
  // and 20,000 characters only got this answer while compressed messages slipped past max_message_size.
  await assert.rejects(alice.sendToRoom('general', 'x'.repeat(2_000)), { code: 'message_too_long' });
  await assert.rejects(alice.sendToRoom('not-joined', 'hi'), { code: 'not_member' });
  alice.close();
});

test('a send with no answer is rejected by the ack timeout', async () => {
  // A socket that accepts frames and never answers: the timeout is the only way out.
  class Silent {
    constructor() {
      setTimeout(() => this.onmessage?.({ data: JSON.stringify({ type: 'welcome', data: { user_id: 'x' } }) }), 0);
    }
    send() {}
    close() {}
  }
  const relay = new RelayClient('ws://127.0.0.1:1/ws/connect', { WebSocket: Silent, token: 't', ackTimeout: 50 });
  await until(() => relay.state === 'connected', 'the fake welcome');
  await assert.rejects(relay.sendToRoom('general', 'hello?'), { code: 'timeout' });
  relay.close();
});

test('messages sent before connecting are queued, bounded, and sent in order with their ids', async () => {
  const room = uniqueRoom('queue');
  await createRoom(room);
  const bob = client(uniqueUser('bob'), { room });
  await connected(bob);
  const alice = client(uniqueUser('alice'), { room, autoConnect: false, queueLimit: 2 });
  const first = alice.send({ type: 'room_message', room_id: room, content: 'one', id: 'q-1' });
  const second = alice.sendToRoom(room, 'two');
  await assert.rejects(alice.sendToRoom(room, 'three'), { code: 'queue_full' });
  assert.equal(alice.state, 'disconnected');
  alice.connect();
  const [a1, a2] = await Promise.all([first, second]);
  assert.equal(a1.ref, 'q-1');
  assert.deepEqual([a1.seq, a2.seq], [1, 2]);
  await until(() => bob.seen.message.length === 2, 'bob to get both');
  assert.deepEqual(contents(bob.seen.message), ['one', 'two']);
  alice.close();
  bob.close();
});

test('after a dropped connection every room is resumed and the missed messages replayed once, in order', async () => {
  const room = uniqueRoom('resume');
  const other = uniqueRoom('resume-other');
  await createRoom(room);
  await createRoom(other);
  const timers = new HeldTimers();
  const alice = client(uniqueUser('alice'), { room });
  const bob = client(uniqueUser('bob'), { room, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  await Promise.all([connected(alice), connected(bob)]);
  await alice.join(other);
  await bob.join(other);
  await alice.sendToRoom(room, 'before');
  await alice.sendToRoom(other, 'before-other');
  await until(() => bob.seen.message.length === 2, 'bob to get the first messages');

  dropConnection(bob);
  await until(() => bob.state === 'disconnected', 'bob to notice the drop');
  for (const text of ['a', 'b', 'c']) await alice.sendToRoom(room, text);
  await alice.sendToRoom(other, 'other-missed');
  // A message bob sends while away waits in his queue.
  const queued = bob.sendToRoom(room, 'from bob while away');
  timers.release(0, 60_000); // the reconnect, whose full-jitter delay may be 0 ms
  await connected(bob);
  await queued;

  await until(() => bob.seen.recovered.length === 2, 'both rooms to be recovered');
  const recovered = Object.fromEntries(bob.seen.recovered.map((r) => [r.room_id, r.replayed]));
  assert.deepEqual(recovered, { [room]: 3, [other]: 1 });
  await until(() => bob.seen.message.some((m) => m.content === 'from bob while away'), 'bob to get his own message');
  const inRoom = bob.seen.message.filter((m) => m.room_id === room);
  assert.deepEqual(contents(inRoom), ['before', 'a', 'b', 'c', 'from bob while away']);
  assert.deepEqual(inRoom.map((m) => m.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(contents(bob.seen.message.filter((m) => m.room_id === other)), ['before-other', 'other-missed']);
  assert.equal(bob.seen.reload.length, 0);
  alice.close();
  bob.close();
});

test('when the server cannot replay (more missed than recovery_max_messages) the room gets reload', async () => {
  const room = uniqueRoom('reload');
  await createRoom(room);
  const timers = new HeldTimers();
  const alice = client(uniqueUser('alice'), { room });
  const bob = client(uniqueUser('bob'), { room, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  await Promise.all([connected(alice), connected(bob)]);
  await alice.sendToRoom(room, 'seen');
  await until(() => bob.seen.message.length === 1, 'bob to get the first message');
  dropConnection(bob);
  await until(() => bob.state === 'disconnected', 'bob to notice the drop');
  for (let i = 0; i < 25; i++) await alice.sendToRoom(room, 'missed ' + i); // recovery_max_messages is 20
  timers.release(0, 60_000);
  await until(() => bob.seen.reload.length === 1, 'reload');
  assert.equal(bob.seen.reload[0].room_id, room);
  assert.equal(bob.seen.reload[0].seq, 26);
  assert.equal(bob.seen.recovered.length, 0);
  await alice.sendToRoom(room, 'live again');
  await until(() => bob.seen.message.some((m) => m.content === 'live again'), 'live delivery after the reload');
  assert.deepEqual(contents(bob.seen.message), ['seen', 'live again']);
  alice.close();
  bob.close();
});

test('a message in flight when the connection drops is sent again with its id and delivered once', async () => {
  const room = uniqueRoom('retry');
  await createRoom(room);
  const bob = client(uniqueUser('bob'), { room });
  const alice = client(uniqueUser('alice'), { room });
  await Promise.all([connected(alice), connected(bob)]);
  const sent = alice.sendToRoom(room, 'in flight');
  dropConnection(alice); // the frame may or may not have left: either way the retry must not double it
  const ack = await sent;
  await alice.sendToRoom(room, 'after');
  await until(() => bob.seen.message.some((m) => m.content === 'after'), 'bob to get the next message');
  assert.deepEqual(contents(bob.seen.message), ['in flight', 'after']);
  assert.equal(bob.seen.message[0].id, ack.id);
  alice.close();
  bob.close();
});

test('status changes reach the room as presence; binary frames arrive as ArrayBuffer', async () => {
  const room = uniqueRoom('presence');
  await createRoom(room);
  const aliceId = uniqueUser('alice');
  const bob = client(uniqueUser('bob'), { room });
  await connected(bob);
  const alice = client(aliceId, { room });
  await connected(alice);
  await until(() => bob.seen.presence.some((p) => p.type === 'user_joined' && p.data.user_id === aliceId), 'user_joined');
  const answer = await alice.setStatus('busy');
  assert.equal(answer.status, 'busy');
  await until(() => bob.seen.presence.some((p) => p.type === 'presence' && p.data.status === 'busy'), 'presence busy');
  alice.sendBinary(new Uint8Array([1, 2, 3]).buffer);
  await until(() => bob.seen.binary.length === 1, 'the binary frame');
  assert.ok(bob.seen.binary[0] instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(bob.seen.binary[0])], [1, 2, 3]);
  alice.close();
  await until(() => bob.seen.presence.some((p) => p.type === 'presence' && p.data.status === 'offline'), 'offline');
  bob.close();
});

test('private messages reach the recipient and the sender\'s other tabs once', async () => {
  const aliceId = uniqueUser('alice');
  const bob = client(uniqueUser('bob'));
  const alice = client(aliceId);
  const aliceTab = client(aliceId);
  await Promise.all([connected(alice), connected(bob), connected(aliceTab)]);
  const ack = await alice.sendPrivate(bob.userId, 'psst');
  await until(() => bob.seen.private.length === 1 && aliceTab.seen.private.length === 1, 'both copies');
  assert.equal(bob.seen.private[0].id, ack.id);
  assert.equal(bob.seen.private[0].from, aliceId);
  for (const c of [alice, bob, aliceTab]) c.close();
});

test('edit() changes the author\'s message for everyone, delete() removes it; someone else\'s edit is an error event with its ref', async () => {
  const room = uniqueRoom('edits');
  await createRoom(room);
  const alice = client(uniqueUser('alice'), { room });
  const bob = client(uniqueUser('bob'), { room });
  await Promise.all([connected(alice), connected(bob)]);
  const ack = await alice.sendToRoom(room, 'helo');
  const refused = bob.edit(ack.id, 'mine now', { roomId: room });
  await until(() => bob.seen.error.length === 1, 'bob\'s refusal');
  assert.equal(bob.seen.error[0].code, 'forbidden');
  assert.equal(bob.seen.error[0].frame.data.ref, refused);
  assert.ok(alice.edit(ack.id, 'hello', { roomId: room }));
  await until(() => bob.seen.message_update.length === 1, 'the edit');
  const update = bob.seen.message_update[0];
  assert.equal(update.id, ack.id);
  assert.equal(update.content, 'hello');
  assert.ok(update.data.edited_at);
  assert.ok(alice.delete(ack.id, { roomId: room }));
  await until(() => bob.seen.message_deleted.length === 1, 'the deletion');
  assert.equal(bob.seen.message_deleted[0].id, ack.id);
  alice.close();
  bob.close();
});

test('typing() reaches the other members as a typing event with from', async () => {
  const room = uniqueRoom('typing');
  await createRoom(room);
  const aliceId = uniqueUser('alice');
  const alice = client(aliceId, { room });
  const bob = client(uniqueUser('bob'), { room });
  await Promise.all([connected(alice), connected(bob)]);
  assert.ok(alice.typing({ roomId: room }));
  await until(() => bob.seen.typing.length === 1, 'bob to see alice typing');
  assert.equal(bob.seen.typing[0].from, aliceId);
  assert.equal(bob.seen.typing[0].room_id, room);
  assert.equal(alice.seen.typing.length, 0);
  alice.close();
  bob.close();
});

test('an administrator\'s disconnect (4403) is terminal: no reconnect, pending sends rejected', async () => {
  const bobId = uniqueUser('bob');
  const bob = client(bobId);
  await connected(bob);
  const kicked = await rest('DELETE', `/ws/users/${bobId}/connections`, token('ops', { roles: ['admin'] }));
  assert.equal(kicked.status, 200);
  await until(() => bob.seen.state.some((s) => s.terminal), 'the terminal close');
  const last = bob.seen.state.at(-1);
  assert.equal(last.code, 4403);
  assert.equal(bob.state, 'disconnected');
  await new Promise((resolve) => setTimeout(resolve, 300)); // longer than a first backoff of 50 ms
  assert.equal(bob.seen.reconnecting.length, 0);
  await assert.rejects(bob.sendToRoom('general', 'still there?'), { code: 'closed' });
});

test('a refused token is terminal when there is no getToken to ask for another', async () => {
  const relay = new RelayClient(`${HTTP.replace('http', 'ws')}/ws/connect`, { WebSocket, token: 'not-a-token' });
  const states = [];
  relay.on('state', (s) => states.push(s));
  await until(() => states.some((s) => s.terminal), 'the refusal');
  assert.equal(states.at(-1).code, 401);
  assert.equal(relay.state, 'disconnected');
});

test('token_expiring asks getToken for a fresh token and refreshes the connection', async () => {
  const userId = uniqueUser('carol');
  let asked = 0;
  const relay = client(userId, {
    token: token(userId, { ttlSeconds: 4 }), // token_expiring after half of its life
    getToken: () => {
      asked++;
      return token(userId, { ttlSeconds: 3600 });
    },
  });
  await connected(relay);
  await until(() => relay.seen.refreshed.length === 1, 'the refresh', 15_000);
  assert.equal(asked, 1);
  assert.equal(relay.state, 'connected');
  await relay.ping();
  relay.close();
});

test('a room joined before connecting is entered on connect; a room left while away is not resumed', async () => {
  const room = uniqueRoom('offline-join');
  await createRoom(room);
  const aliceId = uniqueUser('alice');
  const timers = new HeldTimers();
  const bob = client(uniqueUser('bob'), { room });
  const alice = client(aliceId, { autoConnect: false, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  await connected(bob);
  const joined = alice.join(room);
  alice.connect();
  assert.equal((await joined).room_id, room);
  await bob.sendToRoom(room, 'for alice');
  await until(() => alice.seen.message.some((m) => m.content === 'for alice'), 'alice to get the room message');

  dropConnection(alice);
  await until(() => alice.state === 'disconnected', 'alice to notice the drop');
  await alice.leave(room); // answered at once: there is nothing to leave on a connection that is gone
  timers.release(0, 60_000);
  await connected(alice);
  await alice.ping(); // the reconnect's resumes went out before this, and were answered before its pong
  const members = await rest('GET', `/ws/rooms/${room}/members`, token(aliceId));
  assert.ok(!members.body.data.members.some((m) => m.user_id === aliceId), 'alice is not back in the room');
  assert.ok(!alice.rooms.includes(room));
  alice.close();
  bob.close();
});
