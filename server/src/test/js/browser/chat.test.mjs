// The web page in headless Chromium (Debian's, never a downloaded one) against a real server started by BrowserIT.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HTTP, startServer, stopServer, token, uniqueUser } from '../relay.mjs';

const SCREENSHOTS = process.env.RELAY_SCREENSHOTS ?? path.resolve('../../../target/screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

let browser;
const contexts = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // launch() gives the browser a fresh temporary profile of its own (it refuses --user-data-dir).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    headless: true,
  });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

/** A browser session of its own (own sessionStorage), signed in through the ?token= link. */
async function open(user, roles = []) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[${user}] page error: ${error.message}`));
  await page.goto(`${HTTP}/?token=${token(user, { roles, name: user })}`);
  await page.evaluate(() => {
    // What the client went through, shown only when a page fails to connect in time.
    const client = window.relayPage.client;
    window.connectionLog = [];
    const log = (what) => window.connectionLog.push(`${new Date().toISOString().slice(11, 23)} ${what}`);
    client.on('state', (s) => log(`state ${s.state}${s.code ? ' ' + s.code : ''}${s.reason ? ' ' + s.reason : ''}${s.terminal ? ' terminal' : ''}`));
    client.on('reconnecting', (r) => log(`reconnecting attempt ${r.attempt} in ${r.delay} ms`));
    client.on('error', (e) => log(`error ${e.code}: ${e.message}`));
  });
  await connected(page);
  assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');
  return page;
}

async function connected(page, timeout = 30_000) {
  try {
    await page.locator('[data-testid=state]', { hasText: /^connected$/ }).waitFor({ timeout });
  } catch (e) {
    const log = await Promise.race([
      page.evaluate(() => window.connectionLog ?? []),
      new Promise((resolve) => setTimeout(() => resolve(['(the page did not answer within 5 s)']), 5000)),
    ]).catch((error) => [`(could not read it: ${error.message})`]);
    e.message += `\nat ${new Date().toISOString().slice(11, 23)}, the page's connection log:\n  ${log.join('\n  ')}`;
    throw e;
  }
}

async function say(page, text) {
  await page.fill('[data-testid=text]', text);
  await page.click('[data-testid=send]');
}

/** Waits until `text` shows in the page's open conversation, then checks it shows exactly once. */
async function seesOnce(page, text) {
  const lines = page.locator('[data-testid=message]', { hasText: text });
  await lines.first().waitFor({ timeout: 30_000 });
  assert.equal(await lines.count(), 1, `"${text}" shown once`);
}

const shot = (page, name) => page.screenshot({ path: path.join(SCREENSHOTS, name + '.png'), fullPage: true });

test('two sessions chat in a room, then in private', async () => {
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const a = await open(alice);
  const b = await open(bob);
  await say(a, `hello from ${alice}`);
  await seesOnce(b, `hello from ${alice}`);
  await seesOnce(a, `hello from ${alice}`);
  await say(b, 'hi alice <b>not bold</b>');
  await seesOnce(a, 'hi alice <b>not bold</b>');
  assert.equal(await a.locator('[data-testid=messages] b').count(), 0, 'content is text, never HTML');

  await b.locator(`[data-testid=people] li[data-user="${alice}"] [data-testid=private]`).click({ timeout: 30_000 });
  await say(b, 'a private word');
  await seesOnce(b, 'a private word');
  await a.locator(`[data-testid=tabs] [data-conversation="user:${bob}"]`).click({ timeout: 30_000 });
  await seesOnce(a, 'a private word');
  await say(a, 'private answer');
  await seesOnce(b, 'private answer');
  await shot(a, 'chat-private-alice');
  await shot(b, 'chat-private-bob');

  await a.selectOption('[data-testid=status]', 'busy');
  await b.locator(`[data-testid=people] li[data-user="${alice}"] .status`, { hasText: 'busy' }).waitFor({ timeout: 30_000 });
});

test('the server restarts mid-conversation: both pages reconnect, nothing lost or doubled', async () => {
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const a = await open(alice);
  const b = await open(bob);
  await say(a, 'before the restart');
  await seesOnce(b, 'before the restart');

  const now = () => new Date().toISOString().slice(11, 23);
  console.log(`${now()} stopping the server`);
  await stopServer();
  console.log(`${now()} stopped`);
  await a.locator('[data-testid=state]', { hasText: /^(connecting|disconnected)$/ }).waitFor({ timeout: 30_000 });
  await say(a, 'while the server is down'); // queued by the client, sent once it is connected again
  await startServer();
  console.log(`${now()} started again`);
  // A page that failed several attempts while the server was down may wait out a backoff of up to 20 s first.
  await Promise.all([connected(a, 45_000), connected(b, 45_000)]);
  await say(b, 'after the restart');
  for (const page of [a, b]) {
    for (const text of ['before the restart', 'while the server is down', 'after the restart']) await seesOnce(page, text);
  }
  await shot(a, 'restart-alice');
  await shot(b, 'restart-bob');
});

test('the admin dashboard charts a non-zero number of connections', async () => {
  const ops = await open(uniqueUser('ops'), ['admin']);
  await open(uniqueUser('viewer'));
  await ops.click('[data-testid=dashboard-button]');
  await ops.locator('[data-testid=connections-now]', { hasText: /\([1-9]\d*\)/ }).waitFor({ timeout: 30_000 });
  // Two polls make a line; a non-zero value draws it in the upper half of the canvas, above the zero baseline.
  await ops.waitForFunction(() => window.relayPage.series.connections.filter((n) => n > 0).length >= 2, null, { timeout: 30_000 });
  const drawn = await ops.evaluate(() => {
    const canvas = document.querySelector('[data-testid=connections-chart]');
    const upperHalf = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height / 2).data;
    let blue = 0;
    for (let i = 0; i < upperHalf.length; i += 4) {
      if (upperHalf[i + 2] > 150 && upperHalf[i] < 80 && upperHalf[i + 3] > 0) blue++;
    }
    return blue;
  });
  assert.ok(drawn > 0, 'the connections line is drawn above zero');
  await ops.locator('[data-testid=user-table] tr').first().waitFor({ timeout: 30_000 });
  await shot(ops, 'dashboard');
});
