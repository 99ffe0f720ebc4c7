// The web page in headless Chromium over https:// and wss://, against a TLS server started by TlsBrowserIT with a
// certificate signed by a CA the test made. Chromium trusts that certificate's key only
// (--ignore-certificate-errors-spki-list), so any other certificate, or none, would fail the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { HTTP, token, uniqueUser } from '../relay.mjs';

let browser;

before(async () => {
  assert.match(HTTP, /^https:/, 'TlsBrowserIT serves over https');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${process.env.RELAY_SPKI}`],
    headless: true,
  });
});

after(async () => {
  await browser?.close();
});

async function open(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.sockets = [];
  page.on('websocket', (socket) => page.sockets.push(socket.url()));
  const response = await page.goto(`${HTTP}/?token=${token(user, { name: user })}`);
  assert.equal(response.status(), 200);
  const security = await response.securityDetails();
  assert.ok(security, 'the page came over TLS');
  assert.match(security.protocol, /TLS 1\.[23]/);
  await page.locator('[data-testid=state]', { hasText: /^connected$/ }).waitFor({ timeout: 30_000 });
  return page;
}

test('two pages chat over wss:// with the server\'s own TLS', async () => {
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const a = await open(alice);
  const b = await open(bob);
  // The page chose wss:// for its socket because it was loaded over https://.
  assert.ok(a.sockets.length > 0 && a.sockets.every((url) => url.startsWith('wss://')), a.sockets.join(', '));

  await a.fill('[data-testid=text]', `secure hello from ${alice}`);
  await a.click('[data-testid=send]');
  await b.locator('[data-testid=message]', { hasText: `secure hello from ${alice}` }).first().waitFor({ timeout: 30_000 });
});
