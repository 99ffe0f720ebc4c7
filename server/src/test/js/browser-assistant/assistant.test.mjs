// The assistant's answer in the web page, in headless Chromium, against a server (started by BrowserIT) whose
// assistant talks to a local OpenAI-compatible model server that streams one piece every 400 ms, then never stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HTTP, token, uniqueUser } from '../relay.mjs';

const SCREENSHOTS = process.env.RELAY_SCREENSHOTS ?? path.resolve('../../../target/screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    headless: true,
  });
});

after(async () => {
  await browser?.close();
});

async function open(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[${user}] page error: ${error.message}`));
  await page.goto(`${HTTP}/?token=${token(user, { name: user })}`);
  await page.locator('[data-testid=state]', { hasText: /^connected$/ }).waitFor({ timeout: 30_000 });
  return page;
}

async function say(page, text) {
  await page.fill('[data-testid=text]', text);
  await page.click('[data-testid=send]');
}

const shot = (page, name) => page.screenshot({ path: path.join(SCREENSHOTS, name + '.png'), fullPage: true });

test('a streamed answer grows in place, with a typing indicator, then a second one is stopped', async () => {
  const alice = uniqueUser('alice');
  const page = await open(alice);
  // The assistant is in the people list of the room.
  await page.locator('[data-testid=people] li[data-user="assistant"]').waitFor({ timeout: 30_000 });

  await say(page, '@assistant how do you answer?');
  const answer = page.locator('[data-testid=message][data-state] [data-testid=answer]').first();
  await answer.waitFor({ timeout: 30_000 });

  // Sample the text the page shows while the model streams: it must be seen at several lengths, each a longer
  // prefix of the one before, with the typing indicator shown, before the final text.
  const seen = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const state = await page.locator('[data-testid=message][data-state]').first().getAttribute('data-state');
    const text = await answer.textContent();
    if (state === 'streaming' && text && text !== seen.at(-1)) {
      seen.push(text);
      if (seen.length === 2) await shot(page, 'assistant-streaming');
      assert.equal(await page.locator('[data-testid=typing]').count(), 1, 'the typing indicator shows while streaming');
    }
    if (state === 'done') break;
    await page.waitForTimeout(50); // sampling the page, not waiting for a result
  }
  assert.ok(seen.length >= 2, `the answer was seen growing: ${JSON.stringify(seen)}`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].startsWith(seen[i - 1]) && seen[i].length > seen[i - 1].length, `grows: ${JSON.stringify(seen)}`);
  await page.locator('[data-testid=message][data-state=done] [data-testid=answer]', { hasText: 'Relay streams this answer word by word.' })
    .waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=typing]').count(), 0, 'no typing indicator once done');
  assert.equal(await page.locator('[data-testid=stop]').count(), 0, 'no Stop button once done');
  await shot(page, 'assistant-done');

  // The second answer never ends by itself: the Stop button ends it.
  await say(page, '@assistant keep going');
  const stop = page.locator('[data-testid=message][data-state=streaming] [data-testid=stop]');
  await stop.waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=message][data-state=streaming] [data-testid=answer]', { hasText: 'and' }).waitFor({ timeout: 30_000 });
  await stop.click();
  const stopped = page.locator('[data-testid=message][data-state=cancelled]');
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.textContent(), /\(stopped\)/);
  assert.equal(await page.locator('[data-testid=stop]').count(), 0);
  await shot(page, 'assistant-stopped');
});
