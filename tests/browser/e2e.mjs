// Browser end-to-end test of the Copse SPA against a running server (URL in argv[2]).
// It registers, signs out, signs in, reloads (the refresh cookie restores the
// session), and checks field errors, placeholder sections and the not-found page.
// Every wait is on an observable condition; nothing sleeps.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2];
if (!base) throw new Error('usage: node e2e.mjs <base url>');
const out = new URL('./output/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-GB' });
const page = await context.newPage();
page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
// The browser logs every 4xx fetch as a console error; those are expected here
// (wrong password, weak password). Anything else the page logs is a failure.
page.on('console', (msg) => {
  if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) failures.push(`console: ${msg.text()}`);
});
page.setDefaultTimeout(15000);

const name = 'Amina Diallo';
const email = `amina.${Date.now()}@example.org`;
const password = 'a long enough passphrase';
const userName = page.locator('[data-testid=user-name]');

async function step(title, body) {
  process.stdout.write(`  ${title} ... `);
  await body();
  console.log('ok');
}

try {
  await step('the home page shows the community and the navigation', async () => {
    await page.goto(base + '/');
    await page.locator('nav a', { hasText: 'Discussions' }).waitFor();
    await page.locator('header a', { hasText: 'Sign in' }).waitFor();
    assert.equal(await page.title(), 'Copse');
  });

  await step('a weak password is flagged next to its field', async () => {
    await page.goto(base + '/register');
    await page.fill('#email', email);
    await page.fill('#display_name', name);
    await page.fill('#password', 'short');
    await page.click('button[type=submit]');
    const error = page.locator('#password-error');
    await error.waitFor();
    assert.match(await error.innerText(), /at least 12 characters/);
    assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
  });

  await step('registering signs the member in and shows their name', async () => {
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await userName.waitFor();
    assert.equal(await userName.innerText(), name);
    await page.locator('h2', { hasText: 'Welcome back' }).waitFor();
    await page.screenshot({ path: out + 'home-signed-in.png' });
  });

  await step('a reload keeps the session through the refresh cookie', async () => {
    await page.reload();
    await userName.waitFor();
    assert.equal(await userName.innerText(), name);
  });

  await step('signing out returns to the signed-out header', async () => {
    await page.click('header button:has-text("Sign out")');
    await page.locator('header a', { hasText: 'Sign in' }).waitFor();
    assert.equal(await userName.count(), 0);
  });

  await step('a wrong password shows the server\'s message', async () => {
    await page.goto(base + '/login');
    await page.fill('#email', email);
    await page.fill('#password', 'not the right password');
    await page.click('button[type=submit]');
    const alert = page.locator('.form-error');
    await alert.waitFor();
    assert.match(await alert.innerText(), /email or password is incorrect/i);
  });

  await step('signing in shows the member\'s name in the header', async () => {
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await userName.waitFor();
    assert.equal(await userName.innerText(), name);
  });

  await step('the first member is the admin and can open the settings', async () => {
    await page.click('header a:has-text("Settings")');
    await page.locator('#name').waitFor();
    assert.equal(await page.inputValue('#name'), 'Copse');
    await page.fill('#name', 'KM4Dev Test Community');
    await page.click('button[type=submit]');
    await page.locator('.notice', { hasText: 'Saved' }).waitFor();
    await page.locator('header .brand', { hasText: 'KM4Dev Test Community' }).waitFor();
  });

  await step('sections not built yet say so', async () => {
    await page.click('nav a:has-text("Library")');
    await page.locator('h2', { hasText: 'Coming soon' }).waitFor();
    assert.match(page.url(), /\/library$/);
  });

  await step('an unknown address shows a not-found page', async () => {
    await page.goto(base + '/no/such/page');
    await page.locator('h1', { hasText: 'Page not found' }).waitFor();
  });

  await step('on a phone the navigation folds behind a menu button', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 780 } });
    await phone.goto(base + '/');
    const toggle = phone.locator('button.menu-toggle');
    await toggle.waitFor();
    assert.equal(await phone.locator('#site-nav').isVisible(), false);
    await toggle.click();
    await phone.locator('#site-nav a', { hasText: 'Events' }).waitFor();
    await phone.screenshot({ path: out + 'phone-menu.png' });
    await phone.close();
  });

  assert.deepEqual(failures, [], 'the page logged errors');
  console.log('browser tests passed');
} finally {
  await browser.close();
}
