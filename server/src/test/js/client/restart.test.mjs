// The server restarts (same port, new epoch) under connected clients: nothing lost, nothing doubled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoom, restartServer, uniqueRoom, uniqueUser, until } from '../relay.mjs';
import { HeldTimers, client, connected, contents } from './support.mjs';

test('after a server restart the clients reconnect, reload, catch up on the new epoch and flush their queues', async () => {
  const room = 'general'; // a default room: it exists again after the restart
  const timers = new HeldTimers();
  const alice = client(uniqueUser('alice'), { room });
  const bob = client(uniqueUser('bob'), { room, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  await Promise.all([connected(alice), connected(bob)]);
  await alice.sendToRoom(room, 'before the restart');
  await until(() => bob.seen.message.some((m) => m.content === 'before the restart'), 'the first message');
  const oldEpoch = bob.position(room).epoch;

  await restartServer();
  await until(() => bob.state === 'disconnected', 'bob to see the restart');
  const queued = bob.sendToRoom(room, 'bob, queued while the server was down');
  await connected(alice);
  // Alice is back first and talks before bob has reconnected: bob must still get it.
  await until(() => alice.seen.reload.length === 1, 'alice to reload');
  await alice.sendToRoom(room, 'alice, on the new server');
  timers.release(0, 60_000);
  await connected(bob);
  await queued;

  await until(() => bob.seen.message.some((m) => m.content === 'alice, on the new server'), 'the catch-up');
  for (const c of [alice, bob]) {
    await until(() => c.seen.message.some((m) => m.content === 'bob, queued while the server was down'), 'bob\'s queue');
  }
  assert.equal(bob.seen.reload.length, 1);
  assert.notEqual(bob.position(room).epoch, oldEpoch);
  const mine = (m) => m.from === alice.userId || m.from === bob.userId;
  assert.deepEqual(contents(bob.seen.message.filter(mine)).sort(), [
    'alice, on the new server', 'before the restart', 'bob, queued while the server was down'].sort());
  assert.equal(new Set(bob.seen.message.map((m) => m.id)).size, bob.seen.message.length);
  alice.close();
  bob.close();
});

test('a room created at run time is gone after a restart: the client drops it and stays connected', async () => {
  const room = uniqueRoom('gone');
  await createRoom(room);
  const alice = client(uniqueUser('alice'));
  await connected(alice);
  await alice.join(room);
  await restartServer();
  await until(() => alice.seen.error.some((e) => e.code === 'room_not_found'), 'room_not_found for the resume');
  await connected(alice);
  await alice.sendToRoom('general', 'still here');
  alice.close();
});
