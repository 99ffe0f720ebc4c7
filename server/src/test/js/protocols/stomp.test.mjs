// @stomp/stompjs (the unmodified npm client) against Relay's /ws/stomp, beside Relay's own WebSocket protocol in the
// same rooms. Run by ProtocolsIT with max_message_length 50, max_message_size 2KiB, ping_period 2s, pong_wait 1s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Client } from '@stomp/stompjs';
import { HTTP, createRoom, token, uniqueRoom, uniqueUser, until } from '../relay.mjs';

const STOMP = HTTP.replace(/^http/, 'ws') + '/ws/stomp';
const WS = HTTP.replace(/^http/, 'ws') + '/ws/connect';

/** A stompjs client for `user` that records its frames; `connectHeaders` default to the user's token as passcode. */
function stomp(user, options = {}) {
  const seen = { errors: [], closes: [], receipts: [] };
  const client = new Client({
    webSocketFactory: () => {
      const socket = new WebSocket(STOMP, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
      seen.socket = socket;
      return socket;
    },
    connectHeaders: options.connectHeaders ?? { passcode: token(user) },
    reconnectDelay: 0, // a refusal must stay visible, not be retried behind the test's back
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    onStompError: (frame) => seen.errors.push(frame),
    onWebSocketClose: (event) => seen.closes.push(event.code),
  });
  client.seen = seen;
  client.onConnect = (frame) => { seen.connected = frame; };
  client.activate();
  return client;
}

/** Subscribes and resolves with the receipt, collecting the MESSAGE frames in the returned array. */
async function subscribe(client, destination) {
  const messages = [];
  const receipt = `r-${Math.random()}`;
  let received = false;
  client.watchForReceipt(receipt, () => { received = true; });
  messages.subscription = client.subscribe(destination, (message) => messages.push(message), { receipt });
  await until(() => received, `the receipt for SUBSCRIBE ${destination}`);
  return messages;
}

/** A client of Relay's own protocol, recording its JSON messages. */
async function relay(user, room) {
  const socket = new WebSocket(`${WS}?room_id=${encodeURIComponent(room)}&token=${token(user)}`);
  socket.seen = [];
  socket.on('message', (data) => socket.seen.push(JSON.parse(String(data))));
  await until(() => socket.seen.some((m) => m.type === 'welcome'), `${user}'s welcome`);
  return socket;
}

/** Raw frames, for what stompjs hides: heart-beats and versions. */
function raw(protocols = ['v12.stomp']) {
  const socket = new WebSocket(STOMP, protocols);
  socket.seen = [];
  socket.on('message', (data) => socket.seen.push(String(data)));
  socket.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  return new Promise((resolve) => socket.on('open', () => resolve(socket)));
}

const connected = (client) => until(() => client.seen.connected, 'CONNECTED');

test('CONNECTED on v12.stomp, with Relay\'s session and user and the heart-beat it offers', async () => {
  const user = uniqueUser('stomp');
  const client = stomp(user);
  const frame = await connected(client);
  assert.equal(client.seen.socket.protocol, 'v12.stomp');
  assert.equal(frame.headers.version, '1.2');
  assert.equal(frame.headers['user-name'], user);
  assert.equal(frame.headers['heart-beat'], '2000,2000'); // ping_period, both ways
  assert.match(frame.headers.session, /^[0-9A-Z]{20}$/);
  await client.deactivate();
});

test('a room: STOMP and Relay clients hear each other, with receipts after acceptance', async () => {
  const room = uniqueRoom('stomp-room');
  await createRoom(room);
  const stompUser = uniqueUser('stomp');
  const wsUser = uniqueUser('ws');
  const client = stomp(stompUser);
  await connected(client);
  const messages = await subscribe(client, `/topic/rooms.${room}`);
  const socket = await relay(wsUser, room);

  socket.send(JSON.stringify({ type: 'room_message', room_id: room, content: 'from relay', data: { n: 1 } }));
  await until(() => messages.length === 1, 'the room message as a MESSAGE frame');
  const body = JSON.parse(messages[0].body);
  assert.equal(body.content, 'from relay');
  assert.deepEqual(body.data, { n: 1 });
  assert.equal(body.from, wsUser);
  assert.equal(messages[0].headers['message-id'], body.id);
  assert.equal(messages[0].headers.seq, String(body.seq));
  assert.equal(messages[0].headers.epoch, body.epoch);
  assert.equal(messages[0].headers.destination, `/topic/rooms.${room}`);

  let receipted = false;
  client.watchForReceipt('send-1', () => { receipted = true; });
  client.publish({ destination: `/app/rooms.${room}`, body: 'from stomp', headers: { receipt: 'send-1' } });
  await until(() => receipted, 'the RECEIPT of the SEND');
  const heard = await until(() => socket.seen.find((m) => m.type === 'room_message' && m.from === stompUser),
    'the STOMP message at the Relay client');
  assert.equal(heard.content, 'from stomp');
  assert.equal(heard.seq, body.seq + 1);

  // A JSON body is read like a Relay message: content and data.
  client.publish({ destination: `/app/rooms.${room}`, body: JSON.stringify({ content: 'json', data: { k: [1, 2] } }),
    headers: { 'content-type': 'application/json' } });
  const json = await until(() => socket.seen.find((m) => m.content === 'json'), 'the JSON SEND');
  assert.deepEqual(json.data, { k: [1, 2] });

  // UNSUBSCRIBE leaves the room: the Relay client sees the user go, and nothing more arrives by STOMP.
  let left = false;
  client.watchForReceipt('unsub-1', () => { left = true; });
  messages.subscription.unsubscribe({ receipt: 'unsub-1' });
  await until(() => left, 'the RECEIPT of UNSUBSCRIBE');
  await until(() => socket.seen.find((m) => m.type === 'user_left' && m.data.user_id === stompUser), 'user_left');
  socket.close();
  await client.deactivate();
});

test('private messages both ways, and those sent before the subscription are not lost', async () => {
  const room = uniqueRoom('stomp-private');
  await createRoom(room);
  const stompUser = uniqueUser('stomp');
  const wsUser = uniqueUser('ws');
  const socket = await relay(wsUser, room);
  const client = stomp(stompUser);
  await connected(client);
  socket.send(JSON.stringify({ type: 'private_message', to: stompUser, content: 'early' }));
  await until(() => socket.seen.find((m) => m.type === 'private_message' && m.content === 'early'), 'the echo');
  const inbox = await subscribe(client, '/user/queue/messages');
  await until(() => inbox.length === 1, 'the private message held until the subscription');
  socket.send(JSON.stringify({ type: 'private_message', to: stompUser, content: 'psst' }));
  await until(() => inbox.length === 2, 'the second private message');
  assert.deepEqual(inbox.map((m) => JSON.parse(m.body).content), ['early', 'psst']);
  assert.equal(inbox[1].headers.destination, '/user/queue/messages');

  let receipted = false;
  client.watchForReceipt('p-1', () => { receipted = true; });
  client.publish({ destination: `/app/users.${wsUser}`, body: 'back', headers: { receipt: 'p-1' } });
  await until(() => receipted, 'the RECEIPT of the private SEND');
  const back = await until(() => socket.seen.find((m) => m.type === 'private_message' && m.content === 'back'),
    'the private message at the Relay client');
  assert.equal(back.from, stompUser);
  socket.close();
  await client.deactivate();
});

test('a refused token gets ERROR with code unauthorized, then the socket closes', async () => {
  const client = stomp('nobody', { connectHeaders: { passcode: 'not-a-jwt' } });
  await until(() => client.seen.errors.length === 1, 'the ERROR frame');
  assert.equal(client.seen.errors[0].headers.code, 'unauthorized');
  await until(() => client.seen.closes.length === 1, 'the close');
  assert.equal(client.seen.connected, undefined);
  await client.deactivate();
});

test('no token at all is refused the same way; a token in the Authorization header is accepted', async () => {
  const none = stomp('nobody', { connectHeaders: {} });
  await until(() => none.seen.errors.length === 1, 'the ERROR frame');
  assert.equal(none.seen.errors[0].headers.code, 'unauthorized');
  await none.deactivate();
  const user = uniqueUser('header');
  const client = stomp(user, { connectHeaders: { Authorization: `Bearer ${token(user)}` } });
  assert.equal((await connected(client)).headers['user-name'], user);
  await client.deactivate();
});

test('content over max_message_length: ERROR message_too_long with the receipt id; nothing reaches the room', async () => {
  const room = uniqueRoom('stomp-limit');
  await createRoom(room);
  const socket = await relay(uniqueUser('ws'), room);
  const client = stomp(uniqueUser('stomp'));
  await connected(client);
  await subscribe(client, `/topic/rooms.${room}`);
  client.publish({ destination: `/app/rooms.${room}`, body: 'x'.repeat(50), headers: { receipt: 'fits' } });
  await until(() => socket.seen.find((m) => m.content === 'x'.repeat(50)), '50 characters, the limit');
  client.publish({ destination: `/app/rooms.${room}`, body: 'y'.repeat(51), headers: { receipt: 'too-long' } });
  await until(() => client.seen.errors.length === 1, 'the ERROR frame');
  assert.equal(client.seen.errors[0].headers.code, 'message_too_long');
  assert.equal(client.seen.errors[0].headers['receipt-id'], 'too-long');
  await until(() => client.seen.closes.length === 1, 'the close after ERROR');
  assert.equal(socket.seen.filter((m) => m.content === 'y'.repeat(51)).length, 0);
  socket.close();
  await client.deactivate();
});

test('a frame of max_message_size bytes is read; one byte more closes the WebSocket with 1009', async () => {
  const room = uniqueRoom('stomp-size');
  await createRoom(room);
  const socket = await raw();
  socket.send(`CONNECT\naccept-version:1.2\npasscode:${token(uniqueUser('size'))}\n\n\0`);
  await until(() => socket.seen.some((f) => f.startsWith('CONNECTED')), 'CONNECTED');
  socket.send(`SUBSCRIBE\nid:0\ndestination:/topic/rooms.${room}\nreceipt:s\n\n\0`);
  await until(() => socket.seen.some((f) => f.startsWith('RECEIPT')), 'the RECEIPT');
  const frame = (padding) => {
    const body = JSON.stringify({ content: 'big', data: 'd'.repeat(padding) });
    return `SEND\ndestination:/app/rooms.${room}\ncontent-type:application/json\n\n${body}\0`;
  };
  const fits = frame(2048 - frame(0).length);
  assert.equal(Buffer.byteLength(fits), 2048); // max_message_size
  socket.send(fits);
  await until(() => socket.seen.some((f) => f.startsWith('MESSAGE')), 'the MESSAGE of a frame at the limit');
  socket.send(frame(2049 - frame(0).length));
  assert.equal(await socket.closed, 1009);
});

test('SUBSCRIBE to a room that does not exist: ERROR room_not_found carrying the receipt id', async () => {
  const client = stomp(uniqueUser('stomp'));
  await connected(client);
  client.subscribe('/topic/rooms.no-such-room', () => {}, { receipt: 'sub-missing' });
  await until(() => client.seen.errors.length === 1, 'the ERROR frame');
  assert.equal(client.seen.errors[0].headers.code, 'room_not_found');
  assert.equal(client.seen.errors[0].headers['receipt-id'], 'sub-missing');
  await client.deactivate();
});

test('an unknown destination is refused with invalid_field', async () => {
  const client = stomp(uniqueUser('stomp'));
  await connected(client);
  client.subscribe('/queue/elsewhere', () => {});
  await until(() => client.seen.errors.length === 1, 'the ERROR frame');
  assert.equal(client.seen.errors[0].headers.code, 'invalid_field');
  await client.deactivate();
});

test('heart-beats: the server beats at max(ping_period, what the client asks) and closes a client that stops', async () => {
  const user = uniqueUser('beats');
  const socket = await raw();
  socket.send(`CONNECT\naccept-version:1.2\nhost:relay\npasscode:${token(user)}\nheart-beat:500,500\n\n\0`);
  await until(() => socket.seen.some((f) => f.startsWith('CONNECTED')), 'CONNECTED');
  assert.match(socket.seen[0], /\nheart-beat:2000,2000\n/);
  // Beats from the server: a lone end of line, once per 2 s without other traffic.
  await until(() => socket.seen.includes('\n'), 'a heart-beat from the server', 6000);
  // The client promised one every 500 ms and sends none: max(500, 2000) + pong_wait 1 s later it is closed.
  const code = await socket.closed;
  assert.equal(code, 4000);
  assert.ok(socket.seen.some((f) => f.startsWith('ERROR') && f.includes('code:closed_4000')));
});

test('a client that beats stays connected past the deadline', async () => {
  const user = uniqueUser('beating');
  const socket = await raw(['v11.stomp']);
  assert.equal(socket.protocol, 'v11.stomp');
  socket.send(`CONNECT\naccept-version:1.1\nhost:relay\npasscode:${token(user)}\nheart-beat:500,0\n\n\0`);
  await until(() => socket.seen.some((f) => f.startsWith('CONNECTED')), 'CONNECTED');
  assert.match(socket.seen[0], /\nversion:1\.1\n/);
  const beat = setInterval(() => socket.send('\n'), 400);
  const started = Date.now();
  await until(() => Date.now() - started > 4500, 'past max(500, 2000) + 1 s, twice over', 8000);
  assert.equal(socket.readyState, WebSocket.OPEN);
  clearInterval(beat);
  socket.close();
});

test('STOMP 1.0 only is refused with the versions Relay speaks', async () => {
  const socket = await raw();
  socket.send(`CONNECT\naccept-version:1.0\npasscode:${token('old')}\n\n\0`);
  const code = await socket.closed;
  assert.equal(code, 1008);
  assert.match(socket.seen[0], /^ERROR\n/);
  assert.match(socket.seen[0], /code:invalid_field/);
});
