// Browser end-to-end test of the Copse SPA against a running server (URL in argv[2]).
// It registers, signs out, signs in, reloads (the refresh cookie restores the
// session), and checks field errors, placeholder sections and the not-found page.
// As the first member (the admin) it creates a group, which a second member (in
// another browser context) finds and joins; then it checks the admin area.
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

  await step('the first member is the admin and can open the settings from the admin area', async () => {
    await page.click('header a:has-text("Admin")');
    await page.locator('h2', { hasText: 'Pending registrations' }).waitFor();
    await page.locator('.empty', { hasText: 'No pending registrations' }).waitFor();
    await page.click('nav.tab-links a:has-text("Settings")');
    await page.locator('#name').waitFor();
    assert.match(page.url(), /\/admin\/settings$/);
    assert.equal(await page.inputValue('#name'), 'Copse');
    await page.fill('#name', 'KM4Dev Test Community');
    await page.click('button[type=submit]');
    await page.locator('.notice', { hasText: 'Saved' }).waitFor();
    await page.locator('header .brand', { hasText: 'KM4Dev Test Community' }).waitFor();
  });

  const groupName = 'Soil health working group';
  const groupPath = '/groups/soil-health-working-group';
  const memberName = 'Carlos Mendes';

  await step('the admin creates a public group with the New group form', async () => {
    await page.click('nav a:has-text("Groups")');
    await page.locator('h1', { hasText: 'Groups' }).waitFor();
    await page.locator('.empty', { hasText: 'not joined any group' }).waitFor();
    await page.click('button:has-text("New group")');
    await page.fill('#group-name', 'x');
    await page.click('button:has-text("Create group")');
    await page.locator('#group-name-error').waitFor();
    await page.fill('#group-name', groupName);
    await page.fill('#group-description', 'We compare **soil testing** methods across [regions](https://example.org).');
    await page.click('button:has-text("Create group")');
    await page.locator('h1', { hasText: groupName }).waitFor();
    assert.match(page.url(), new RegExp(groupPath + '$'));
  });

  await step('the group page shows its Overview, and its Members tab lists the admin as facilitator', async () => {
    await page.locator('.prose strong', { hasText: 'soil testing' }).waitFor();
    assert.equal(await page.locator('[role=tab][aria-selected=true]').innerText(), 'Overview');
    await page.click('[role=tab]:has-text("Members")');
    const me = page.locator('[data-testid=group-member]', { hasText: name });
    await me.waitFor();
    assert.match(await me.innerText(), /Facilitator/);
    await page.locator('[role=tab]', { hasText: 'Manage' }).waitFor();
    await page.click('[role=tab]:has-text("Discussions")');
    await page.locator('[role=tabpanel] h2', { hasText: 'Coming soon' }).waitFor();
  });

  await step('the new group is listed in My groups', async () => {
    await page.click('nav a:has-text("Groups")');
    const card = page.locator('[data-testid=group-card]', { hasText: groupName });
    await card.waitFor();
    assert.match(await card.innerText(), /1 member/);
    assert.match(await card.innerText(), /Facilitator/);
    assert.match(await card.innerText(), /soil testing methods across regions/);
    await page.screenshot({ path: out + 'groups.png', fullPage: true });
  });

  await step('a second member, in another browser, finds the group in All groups and joins it', async () => {
    const other = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-GB' });
    const second = await other.newPage();
    second.setDefaultTimeout(15000);
    second.on('pageerror', (error) => failures.push(`second page error: ${error.message}`));
    second.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) failures.push(`second console: ${msg.text()}`);
    });
    await second.goto(base + '/register');
    await second.fill('#email', `carlos.${Date.now()}@example.org`);
    await second.fill('#display_name', memberName);
    await second.fill('#password', password);
    await second.click('button[type=submit]');
    await second.locator('[data-testid=user-name]', { hasText: memberName }).waitFor();
    assert.equal(await second.locator('header a', { hasText: 'Admin' }).count(), 0);
    await second.click('nav a:has-text("Groups")');
    await second.click('[role=tab]:has-text("All groups")');
    const card = second.locator('[data-testid=group-card]', { hasText: groupName });
    await card.waitFor();
    assert.equal(await second.locator('button', { hasText: 'New group' }).count(), 0);
    await card.locator('button', { hasText: 'Join' }).click();
    await card.locator('.badge', { hasText: 'Member' }).waitFor();
    await second.click('[role=tab]:has-text("My groups")');
    await second.locator('[data-testid=group-card]', { hasText: groupName }).waitFor();
    await second.goto(base + groupPath);
    await second.locator('button', { hasText: 'Leave group' }).waitFor();
    assert.equal(await second.locator('[role=tab]', { hasText: 'Manage' }).count(), 0);
    await other.close();
  });

  await step('the admin sees the new member in the group and manages it', async () => {
    await page.goto(base + groupPath);
    await page.locator('[data-testid=member-count]', { hasText: '2 members' }).waitFor();
    await page.click('[role=tab]:has-text("Members")');
    await page.locator('[data-testid=group-member]', { hasText: memberName }).waitFor();
    await page.screenshot({ path: out + 'group.png', fullPage: true });
    await page.click('[role=tab]:has-text("Manage")');
    await page.locator('#manage-active-title').waitFor();
    await page.locator('label', { hasText: `Role of ${memberName}` }).waitFor();
    await page.locator('.empty', { hasText: 'No pending requests' }).waitFor();
    await page.fill('#invite-email', 'nobody@example.org');
    await page.click('button:has-text("Send invitation")');
    const error = page.locator('#invite-email-error');
    await error.waitFor();
    assert.match(await error.innerText(), /No active member/);
    assert.equal(await page.getAttribute('#invite-email', 'aria-invalid'), 'true');
    await page.screenshot({ path: out + 'group-manage.png', fullPage: true });
  });

  await step('the group page reads well on a phone', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 780 });
    await phone.goto(base + groupPath);
    await phone.locator('h1', { hasText: groupName }).waitFor();
    await phone.locator('.prose strong', { hasText: 'soil testing' }).waitFor();
    await phone.screenshot({ path: out + 'group-phone.png', fullPage: true });
    await phone.click('[role=tab]:has-text("Manage")');
    await phone.locator('#manage-active-title').waitFor();
    await phone.locator('label', { hasText: `Role of ${memberName}` }).waitFor();
    await phone.screenshot({ path: out + 'group-manage-phone.png', fullPage: true });
    await phone.close();
  });

  await step('the admin area lists both accounts, creates an invitation link, and audits the group', async () => {
    await page.click('header a:has-text("Admin")');
    await page.click('nav.tab-links a:has-text("Members")');
    const rows = page.locator('[data-testid=admin-member]');
    await rows.filter({ hasText: memberName }).waitFor();
    await rows.filter({ hasText: name }).waitFor();
    assert.equal(await rows.count(), 2);
    await page.screenshot({ path: out + 'admin-members.png', fullPage: true });
    await page.click('nav.tab-links a:has-text("Invitations")');
    await page.click('button:has-text("Create invitation")');
    const link = page.locator('#invitation-link');
    await link.waitFor();
    assert.match(await link.inputValue(), /\/register\?invite=/);
    await page.locator('.rows li', { hasText: 'Anyone with the link' }).waitFor();
    await page.screenshot({ path: out + 'admin-invitations.png', fullPage: true });
    await page.click('nav.tab-links a:has-text("Audit log")');
    await page.locator('[data-testid=audit-entry]', { hasText: 'group.create' }).waitFor();
    await page.selectOption('#audit-action', 'invitation.');
    await page.locator('[data-testid=audit-entry]', { hasText: 'invitation.create' }).waitFor();
    await page.locator('[data-testid=audit-entry]', { hasText: 'group.create' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: out + 'admin-audit.png', fullPage: true });
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
