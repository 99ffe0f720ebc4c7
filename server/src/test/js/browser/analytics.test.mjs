// The dashboard's Analytics view in headless Chromium against the server BrowserIT started: after scripted traffic
// the numbers it shows equal the API's (read at the same time, until both settle), and the live feed shows the
// last minute.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HTTP, rest, token, uniqueUser } from '../relay.mjs';

const SCREENSHOTS = process.env.RELAY_SCREENSHOTS ?? path.resolve('../../../target/screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

let browser;
let context;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    headless: true,
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
});

/**
 * Polls `condition` every half second (the REST calls in it count against rest_rate_limit_per_minute) until it is
 * truthy, or fails after `timeout` ms naming `what`.
 */
async function until(condition, what, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const text = (page, id) => page.locator(`[data-testid="${id}"]`).textContent();

/** What the view shows, as the API's shape, read from the page's text. */
async function shown(page) {
  const rows = await page.locator('[data-testid=an-top-rooms] tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  return {
    total: await text(page, 'an-total'),
    room: await text(page, 'an-room'),
    private: await text(page, 'an-private'),
    broadcast: await text(page, 'an-broadcast'),
    active: await text(page, 'an-active'),
    opened: await text(page, 'an-opened'),
    errors: await text(page, 'an-errors'),
    topRooms: rows,
  };
}

function expected(o) {
  return {
    total: String(o.messages.total),
    room: String(o.messages.room),
    private: String(o.messages.private),
    broadcast: String(o.messages.broadcast),
    active: String(o.users.active),
    opened: String(o.connections.opened),
    errors: String(o.errors.total),
    topRooms: o.top_rooms.map((r) => [r.room_id, String(r.messages), String(r.active_users)]),
  };
}

test('the Analytics view shows the API\'s figures, and the last minute live', async () => {
  const admin = token(uniqueUser('ops'), { roles: ['admin'] });
  const sender = uniqueUser('talker');
  const senderToken = token(sender, { roles: ['admin'] }); // admins may post to a room over REST without a connection
  // Scripted traffic: three room messages over REST.
  for (let i = 0; i < 3; i++) {
    const sent = await rest('POST', '/ws/messages', senderToken,
      { type: 'room_message', room_id: 'general', content: `analytics ${i}`, id: `a-${sender}-${i}` });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
  }

  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[ops] page error: ${error.message}`));
  await page.goto(`${HTTP}/?token=${admin}`);
  await page.click('[data-testid=dashboard-button]');
  await page.selectOption('[data-testid=analytics-window]', '5m');

  // The page polls every 2 s and traffic of other tests may land in between: compare until they agree.
  let last;
  await until(async () => {
    const answer = await rest('GET', '/ws/analytics/overview?window=5m', admin);
    const api = expected(answer.body.data);
    const page_ = await shown(page);
    last = { api, page: page_ };
    return Number(api.room) >= 3 && JSON.stringify(api) === JSON.stringify(page_);
  }, 'the view to show the API\'s overview', 30_000).catch((error) => {
    error.message += `\nlast seen: ${JSON.stringify(last)}`;
    throw error;
  });
  assert.ok(Number(last.page.total) >= 3, 'the three scripted messages are counted');
  assert.ok(last.page.topRooms.some(([room]) => room === 'general'), 'general is a top room');

  // A top room's link shows that room's figures, the same as the room endpoint's.
  await page.locator('[data-testid=an-top-rooms] tr[data-room="general"] a').click();
  await until(async () => {
    const room = (await rest('GET', '/ws/analytics/rooms/general?window=5m', admin)).body.data;
    return await text(page, 'an-room-id') === 'general'
      && await text(page, 'an-room-messages') === String(room.messages)
      && await text(page, 'an-room-active') === String(room.active_users);
  }, 'the room figures to match the API\'s', 30_000);

  // Daily and monthly active users, as the API counts them.
  let users;
  await until(async () => {
    const daily = (await rest('GET', '/ws/analytics/active-users?period=day', admin)).body.data;
    const monthly = (await rest('GET', '/ws/analytics/active-users?period=month', admin)).body.data;
    users = { api: [daily.series.at(-1).active_users, monthly.series.at(-1).active_users],
      page: [await text(page, 'an-dau-today'), await text(page, 'an-mau-now')] };
    return users.api[0] >= 1 && users.page[0] === `(today ${users.api[0]})`
      && users.page[1] === `(this month ${users.api[1]})`;
  }, 'today\'s and this month\'s active users to match the API\'s', 40_000).catch((error) => {
    error.message += `\nlast seen: ${JSON.stringify(users)}`;
    throw error;
  });

  // The live feed: the last minute, pushed every second (one more message, so the last minute has one whatever the
  // checks above took).
  const more = await rest('POST', '/ws/messages', senderToken,
    { type: 'room_message', room_id: 'general', content: 'analytics live', id: `a-${sender}-live` });
  assert.equal(more.status, 200, JSON.stringify(more.body));
  await until(async () => Number(await text(page, 'an-live-total')) >= 1, 'the live last minute', 30_000);
  const live = await page.evaluate(() => window.relayPage.analytics.live);
  assert.equal(live.window, '1m');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'analytics.png'), fullPage: true });
});
