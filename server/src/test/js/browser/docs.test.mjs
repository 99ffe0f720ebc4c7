// /ws/docs in headless Chromium: Swagger UI, served by Relay itself, renders the OpenAPI document under the page's
// Content-Security-Policy (no CDN, no blocked script or style).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { HTTP } from '../relay.mjs';

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    headless: true,
  });
});

after(async () => {
  await browser?.close();
});

test('the API reference renders every documented path without a policy violation', async () => {
  const page = await browser.newPage();
  const violations = [];
  const outside = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(HTTP) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  const response = await page.goto(`${HTTP}/ws/docs`);
  assert.equal(response.status(), 200);
  await page.locator('.opblock-summary-path', { hasText: '/ws/rooms' }).first().waitFor({ timeout: 30_000 });

  const documented = Object.keys((await (await fetch(`${HTTP}/ws/openapi.json`)).json()).paths);
  const shown = await page.locator('.opblock-summary-path').evaluateAll((nodes) =>
    nodes.map((node) => node.getAttribute('data-path') ?? node.textContent.trim()));
  for (const path of documented) assert.ok(shown.includes(path), `${path} is shown`);
  assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  assert.deepEqual(outside, [], 'nothing loaded from another origin');
});
