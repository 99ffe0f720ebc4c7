// socket.io-client 4.x (the unmodified npm client) against Relay's /socket.io/, beside Relay's own WebSocket clients
// in the same rooms, over long-polling, the upgrade and WebSocket only. Run by ProtocolsIT with
// max_message_length 50, max_message_size 2KiB, ping_period 2s, pong_wait 1s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { HTTP, createRoom, token, uniqueRoom, uniqueUser, until } from '../relay.mjs';

const WS = HTTP.replace(/^http/, 'ws') + '/ws/connect';

/** A Socket.IO client for `user`, recording the events it gets. */
function socketio(user, options = {}) {
  const { auth = { token: token(user) }, ...rest } = options;
  const socket = io(HTTP, { auth, reconnection: false, forceNew: true, ...rest });
  socket.seen = { events: [], errors: [] };
  socket.onAny((name, ...args) => socket.seen.events.push({ name, args }));
  socket.on('connect_error', (error) => socket.seen.errors.push(error));
  return socket;
}

const connected = (socket) => until(() => socket.connected, 'the Socket.IO connect');
const event = (socket, name, test = () => true) =>
  until(() => socket.seen.events.find((e) => e.name === name && test(e.args[0])), `a '${name}' event`);

/** A client of Relay's own protocol, recording its JSON messages. */
async function relay(user, room) {
  const ws = new WebSocket(`${WS}?room_id=${encodeURIComponent(room)}&token=${token(user)}`);
  ws.seen = [];
  ws.on('message', (data) => ws.seen.push(JSON.parse(String(data))));
  await until(() => ws.seen.some((m) => m.type === 'welcome'), `${user}'s welcome`);
  return ws;
}

const emit = (socket, name, payload) => new Promise((resolve) => socket.emit(name, payload, resolve));

for (const [label, options] of [
  ['defaults (long-polling, then the upgrade)', {}],
  ['WebSocket only', { transports: ['websocket'] }],
  ['long-polling only', { transports: ['polling'], upgrade: false }],
]) {
  test(`${label}: a room both ways with a Relay client, acks from the hub`, async () => {
    const room = uniqueRoom('sio-room');
    await createRoom(room);
    const user = uniqueUser('sio');
    const other = uniqueUser('ws');
    const socket = socketio(user, options);
    await connected(socket);
    const joined = await emit(socket, 'join_room', { room_id: room });
    assert.equal(joined.type, 'joined');
    assert.equal(joined.room_id, room);
    const ws = await relay(other, room);

    ws.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'from relay', data: { n: 1 } }));
    const heard = await event(socket, 'room_message', (m) => m.content === 'from relay');
    assert.equal(heard.args[0].from, other);
    assert.deepEqual(heard.args[0].data, { n: 1 });

    const ack = await emit(socket, 'room_message', { room_id: room, content: 'from socket.io', data: { k: 'v' } });
    assert.equal(ack.type, 'ack');
    assert.equal(ack.data.seq, heard.args[0].seq + 1);
    const got = await until(() => ws.seen.find((m) => m.content === 'from socket.io'), 'the message at Relay');
    assert.equal(got.id, ack.data.id);
    assert.equal(got.from, user);
    assert.deepEqual(got.data, { k: 'v' });
    if (label.startsWith('defaults')) {
      await until(() => socket.io.engine.transport.name === 'websocket', 'the upgrade to WebSocket');
    } else {
      assert.equal(socket.io.engine.transport.name, options.transports[0]);
    }
    ws.close();
    socket.disconnect();
  });
}

test('private messages both ways, and presence as events', async () => {
  const room = uniqueRoom('sio-private');
  await createRoom(room);
  const user = uniqueUser('sio');
  const other = uniqueUser('ws');
  const socket = socketio(user);
  await connected(socket);
  await emit(socket, 'join_room', { room_id: room });
  const ws = await relay(other, room);
  await event(socket, 'user_joined', (m) => m.data.user_id === other);
  ws.send(JSON.stringify({ type: 'private_message', to: user, content: 'psst' }));
  const psst = await event(socket, 'private_message', (m) => m.content === 'psst');
  assert.equal(psst.args[0].from, other);
  const ack = await emit(socket, 'private_message', { to: other, content: 'back' });
  assert.equal(ack.type, 'ack');
  await until(() => ws.seen.find((m) => m.type === 'private_message' && m.content === 'back'), 'the reply');
  ws.close();
  socket.disconnect();
});

test('a refused token: connect_error with Relay\'s code, and no connection', async () => {
  const socket = socketio('nobody', { auth: { token: 'not-a-jwt' } });
  await until(() => socket.seen.errors.length === 1, 'connect_error');
  assert.equal(socket.seen.errors[0].data.code, 'unauthorized');
  assert.equal(socket.connected, false);
  socket.disconnect();
});

test('only the main namespace: another gets connect_error', async () => {
  const socket = io(`${HTTP}/admin`, { auth: { token: token(uniqueUser('ns')) }, reconnection: false, forceNew: true });
  const error = await new Promise((resolve) => socket.on('connect_error', resolve));
  assert.match(error.message, /Invalid namespace/);
  socket.disconnect();
});

test('limits: content over max_message_length is refused to the callback; over max_message_size closes', async () => {
  const room = uniqueRoom('sio-limit');
  await createRoom(room);
  const socket = socketio(uniqueUser('sio'), { transports: ['websocket'] });
  await connected(socket);
  await emit(socket, 'join_room', { room_id: room });
  assert.equal((await emit(socket, 'room_message', { room_id: room, content: 'x'.repeat(50) })).type, 'ack');
  const refused = await emit(socket, 'room_message', { room_id: room, content: 'y'.repeat(51) });
  assert.equal(refused.type, 'error');
  assert.equal(refused.data.code, 'message_too_long');
  const reasons = [];
  socket.on('disconnect', (reason) => reasons.push(reason));
  socket.emit('room_message', { room_id: room, data: 'z'.repeat(3000) });
  await until(() => reasons.length === 1, 'the disconnect');
  assert.equal(reasons[0], 'transport close');
});

test('an unknown event is refused with unknown_type', async () => {
  const socket = socketio(uniqueUser('sio'));
  await connected(socket);
  const refused = await emit(socket, 'make_coffee', {});
  assert.equal(refused.data.code, 'unknown_type');
  socket.disconnect();
});

test('connection state recovery: missed room messages arrive and socket.recovered is true', async () => {
  const room = uniqueRoom('sio-recover');
  await createRoom(room);
  const user = uniqueUser('sio');
  const socket = socketio(user, { transports: ['websocket'] });
  await connected(socket);
  assert.equal(socket.recovered, false);
  await emit(socket, 'join_room', { room_id: room });
  const ws = await relay(uniqueUser('ws'), room);
  ws.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'before' }));
  await event(socket, 'room_message', (m) => m.content === 'before');
  // Cut off (no reconnection of its own): it reconnects below, once the room has moved on without it.
  socket.io.engine.close();
  await until(() => !socket.connected, 'the drop');
  ws.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'missed 1' }));
  ws.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'missed 2' }));
  await until(() => ws.seen.filter((m) => m.content?.startsWith('missed')).length === 2, 'the missed messages sent');
  socket.connect(); // with the pid and offset it kept: Socket.IO's recovery
  await until(() => socket.connected, 'the reconnect');
  assert.equal(socket.recovered, true);
  await event(socket, 'room_message', (m) => m.content === 'missed 2');
  const contents = socket.seen.events.filter((e) => e.name === 'room_message' && e.args[0].room_id === room)
    .map((e) => e.args[0].content);
  assert.deepEqual(contents, ['before', 'missed 1', 'missed 2']);
  ws.close();
  socket.disconnect();
});

test('binary attachments: Socket.IO clients get them as binary, Relay clients as base64, within max_message_size', async () => {
  const room = uniqueRoom('sio-binary');
  await createRoom(room);
  const sender = socketio(uniqueUser('sio'), { transports: ['websocket'] });
  const receiver = socketio(uniqueUser('sio'), { transports: ['polling'], upgrade: false });
  await connected(sender);
  await connected(receiver);
  await emit(sender, 'join_room', { room_id: room });
  await emit(receiver, 'join_room', { room_id: room });
  const ws = await relay(uniqueUser('ws'), room);
  const bytes = Buffer.from([0, 1, 2, 250, 251, 255]);
  const ack = await emit(sender, 'room_message', { room_id: room, content: 'file', data: { file: bytes } });
  assert.equal(ack.type, 'ack');
  const got = await event(receiver, 'room_message', (m) => m.content === 'file');
  assert.ok(Buffer.isBuffer(got.args[0].data.file), 'a Buffer on long-polling');
  assert.deepEqual([...got.args[0].data.file], [...bytes]);
  const echo = await event(sender, 'room_message', (m) => m.content === 'file');
  assert.deepEqual([...echo.args[0].data.file], [...bytes], 'a Buffer on WebSocket');
  const atRelay = await until(() => ws.seen.find((m) => m.content === 'file'), 'the message at Relay');
  assert.equal(atRelay.data.file._binary, bytes.toString('base64'));

  // 2 KiB is the whole event's budget, attachments included: 1500 + 1500 bytes is over it.
  const reasons = [];
  sender.on('disconnect', (reason) => reasons.push(reason));
  sender.emit('room_message', { room_id: room, data: { a: Buffer.alloc(1500), b: Buffer.alloc(1500) } });
  await until(() => reasons.length === 1, 'the disconnect');
  assert.equal(ws.seen.filter((m) => m.data?.a).length, 0);
  ws.close();
  receiver.disconnect();
});

test('the handshake passes the gate: a refused origin gets connect_error with the HTTP refusal', async () => {
  const socket = socketio(uniqueUser('sio'), { extraHeaders: { Origin: 'https://evil.example' } });
  await until(() => socket.seen.errors.length === 1, 'connect_error');
  const error = socket.seen.errors[0];
  assert.equal(error.description, 403);
  socket.disconnect();
  // The same handshake by hand: the refusal is Relay's HTTP envelope.
  const answer = await fetch(`${HTTP}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(answer.status, 403);
  assert.equal((await answer.json()).error.code, 'origin_not_allowed');
  const fine = await fetch(`${HTTP}/socket.io/?EIO=4&transport=polling`);
  assert.equal(fine.status, 200);
  assert.match(await fine.text(), /^0\{"sid":"[^"]+","upgrades":\["websocket"\],"pingInterval":2000,"pingTimeout":1000,"maxPayload":2048\}$/);
});

test('max_connections_per_user counts Socket.IO sessions, and an ended long-polling session frees its slot', async () => {
  const user = uniqueUser('many');
  const first = socketio(user, { transports: ['polling'], upgrade: false });
  const second = socketio(user, { transports: ['websocket'] });
  await connected(first);
  await connected(second);
  const third = socketio(user, { transports: ['websocket'] });
  await until(() => third.seen.errors.length === 1, 'connect_error');
  assert.equal(third.seen.errors[0].data.code, 'connection_limit');
  third.disconnect();
  first.disconnect();
  const fourth = socketio(user, { transports: ['polling'], upgrade: false });
  await until(() => fourth.connected || fourth.seen.errors.length > 0, 'an answer');
  assert.equal(fourth.connected, true);
  second.disconnect();
  fourth.disconnect();
});
