// Test support shared by the Node and browser tests: tokens, the server's addresses, REST calls, waiting.
import { createHmac } from 'node:crypto';

export const HTTP = process.env.RELAY_HTTP ?? 'http://127.0.0.1:8080';
export const WS = process.env.RELAY_WS ?? HTTP.replace(/^http/, 'ws') + '/ws/connect';
const SECRET = process.env.RELAY_JWT_SECRET ?? 'test-secret-that-is-at-least-32-bytes-long';
const CONTROL = process.env.RELAY_CONTROL;

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 token signed with the test server's secret. */
export function token(sub, { roles = [], ttlSeconds = 3600, name } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, name, roles, iat: now, exp: now + ttlSeconds })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/** A user id of its own for each test, so tests never see each other's traffic. */
let counter = 0;
export const uniqueUser = (name) => `${name}-${process.pid}-${++counter}`;
export const uniqueRoom = (name) => `${name}-${process.pid}-${++counter}`;

export async function rest(method, path, bearer, body) {
  const response = await fetch(HTTP + path, {
    method,
    headers: { Authorization: 'Bearer ' + bearer, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

export async function createRoom(id) {
  const answer = await rest('POST', '/ws/rooms', token('test-admin', { roles: ['admin'] }), { id, name: id });
  if (answer.status !== 201) throw new Error(`creating room ${id}: ${JSON.stringify(answer)}`);
}

async function control(action) {
  if (!CONTROL) throw new Error('RELAY_CONTROL is not set: run through JavaScriptClientIT / BrowserIT');
  const response = await fetch(`${CONTROL}/${action}`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
  if (response.status !== 204) throw new Error(`${action} failed: ${await response.text()}`);
}

/** Stops the server and starts it again on the same port (a new epoch: history lived in memory). */
export const restartServer = () => control('restart');
export const stopServer = () => control('stop');
/** Starts the stopped server again on the same port. */
export const startServer = () => control('start');

/** Polls `condition` until it returns a truthy value, or fails after `timeout` ms with `what`. */
export async function until(condition, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
