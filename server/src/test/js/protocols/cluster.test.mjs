// Two nodes on Redis (started by ProtocolsClusterIT): RELAY_HTTP is node a, RELAY_HTTP_B node b. Socket.IO, STOMP
// and Relay's own clients on different nodes share one room stream and private messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { Client } from '@stomp/stompjs';
import { HTTP, createRoom, token, uniqueRoom, uniqueUser, until } from '../relay.mjs';

const HTTP_B = process.env.RELAY_HTTP_B;

function socketio(user, transports) {
  const socket = io(HTTP, { auth: { token: token(user) }, reconnection: false, forceNew: true, transports });
  socket.seen = [];
  socket.onAny((name, message) => socket.seen.push({ name, message }));
  return socket;
}

async function relayOnB(user, room) {
  const ws = new WebSocket(`${HTTP_B.replace(/^http/, 'ws')}/ws/connect?room_id=${room}&token=${token(user)}`);
  ws.seen = [];
  ws.on('message', (data) => ws.seen.push(JSON.parse(String(data))));
  await until(() => ws.seen.some((m) => m.type === 'welcome'), 'the welcome on node b');
  return ws;
}

const emit = (socket, name, payload) => new Promise((resolve) => socket.emit(name, payload, resolve));

for (const transports of [['websocket'], ['polling']]) {
  test(`Socket.IO (${transports[0]}) on node a, Relay on node b: one room stream, private messages`, async () => {
    const room = uniqueRoom('cluster-sio');
    await createRoom(room);
    const user = uniqueUser('sio');
    const other = uniqueUser('ws');
    const socket = socketio(user, transports);
    await until(() => socket.connected, 'connect on node a');
    assert.equal((await emit(socket, 'join_room', { room_id: room })).type, 'joined');
    const ws = await relayOnB(other, room);

    ws.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'from b' }));
    const heard = await until(() => socket.seen.find((e) => e.name === 'room_message' && e.message.content === 'from b'),
      'node b\'s message on node a');
    const ack = await emit(socket, 'room_message', { room_id: room, content: 'from a' });
    assert.equal(ack.data.seq, heard.message.seq + 1, 'one stream across the nodes');
    const got = await until(() => ws.seen.find((m) => m.content === 'from a'), 'node a\'s message on node b');
    assert.equal(got.seq, ack.data.seq);

    ws.send(JSON.stringify({ type: 'private_message', to: user, content: 'psst' }));
    await until(() => socket.seen.find((e) => e.name === 'private_message' && e.message.content === 'psst'),
      'the private message across nodes');
    assert.equal((await emit(socket, 'private_message', { to: other, content: 'back' })).type, 'ack');
    await until(() => ws.seen.find((m) => m.type === 'private_message' && m.content === 'back'), 'the reply on b');
    ws.close();
    socket.disconnect();
  });
}

test('STOMP on node b and Socket.IO on node a in one room', async () => {
  const room = uniqueRoom('cluster-mixed');
  await createRoom(room);
  const socket = socketio(uniqueUser('sio'), ['websocket']);
  await until(() => socket.connected, 'connect on node a');
  await emit(socket, 'join_room', { room_id: room });
  const stompUser = uniqueUser('stomp');
  const messages = [];
  const client = new Client({
    webSocketFactory: () => new WebSocket(`${HTTP_B.replace(/^http/, 'ws')}/ws/stomp`, ['v12.stomp']),
    connectHeaders: { passcode: token(stompUser) }, reconnectDelay: 0, heartbeatIncoming: 0, heartbeatOutgoing: 0,
  });
  let subscribed = false;
  client.onConnect = () => {
    client.watchForReceipt('sub', () => { subscribed = true; });
    client.subscribe(`/topic/rooms.${room}`, (m) => messages.push(JSON.parse(m.body)), { receipt: 'sub' });
  };
  client.activate();
  await until(() => subscribed, 'the STOMP subscription on node b');
  await emit(socket, 'room_message', { room_id: room, content: 'sio to stomp' });
  await until(() => messages.find((m) => m.content === 'sio to stomp'), 'the message at the STOMP client');
  client.publish({ destination: `/app/rooms.${room}`, body: 'stomp to sio' });
  const got = await until(() => socket.seen.find((e) => e.name === 'room_message' && e.message.content === 'stomp to sio'),
    'the STOMP message at the Socket.IO client');
  assert.equal(got.message.from, stompUser);
  await client.deactivate();
  socket.disconnect();
});
