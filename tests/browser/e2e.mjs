// Browser end-to-end test of the Copse SPA against a running server (URL in argv[2]).
// It registers, signs out, signs in, reloads (the refresh cookie restores the
// session), and checks field errors, placeholder sections and the not-found page.
// As the first member (the admin) it creates a group, which a second member (in
// another browser context) finds and joins; then it checks the admin area, where it
// also makes a partner API key, reads the library with it from Node, and revokes it,
// and registers a webhook whose signed test event a receiver in Node checks.
// A private group stays hidden from the second member until the admin approves their
// request.
// In Discussions, the admin creates a category, the second member asks a question,
// the admin answers, the question is accepted as solved, and the bell tells the asker.
// In the Library, the admin shares a PDF, uploads a second version and downloads the
// first, shares a picture that gets a thumbnail, and filters the index; the second
// member comments in the item's discussion and bookmarks it. In Members, the admin
// fills in a profile with expertise and privacy choices; the second member finds the
// admin by expertise, opens the profile (without the hidden email) and sends a message.
// In Events, the admin creates a hybrid event next month whose link only people going
// see; the second member answers Going, gets the link, and finds the event in the
// month view and in the week agenda.
// Every wait is on an observable condition; nothing sleeps.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
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
    await page.locator('[role=tabpanel] .empty', { hasText: 'No topics in this group yet' }).waitFor();
    await page.locator('[role=tabpanel] a', { hasText: 'New topic in this group' }).waitFor();
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

  // The second member's browser stays open for the private group and discussion steps.
  let other;
  let second;
  await step('a second member, in another browser, finds the group in All groups and joins it', async () => {
    other = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-GB' });
    second = await other.newPage();
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

  // The partner's key, made in the admin area and used again after the library steps
  // (items it pushes earlier would change what those steps expect to be empty).
  let partnerKey;

  await step('the admin makes a partner API key, and the partner reads the library with it', async () => {
    await page.click('nav.tab-links a:has-text("API keys")');
    await page.locator('[data-testid=api-keys]').waitFor();
    assert.match(page.url(), /\/admin\/api-keys$/);
    await page.fill('#api-key-name', 'FAO e-Agriculture sync');
    await page.check('#scope-library-write');
    await page.click('[data-testid=create-api-key]');
    const secretField = page.locator('[data-testid=api-key-secret]');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.match(secret, /^copse_/);
    await page.locator('.secret-panel', { hasText: 'Copy it now: it will not be shown again' }).waitFor();
    const row = page.locator('[data-testid=api-key-row]', { hasText: 'FAO e-Agriculture sync' });
    await row.locator('.badge.scope', { hasText: 'library:write' }).waitFor();
    await page.screenshot({ path: out + 'api-keys.png', fullPage: true });
    // The partner's side: Node calls the API with the key, outside the browser.
    const libraryStatus = async () => {
      const response = await fetch(`${base}/api/v1/library`, { headers: { Authorization: `Bearer ${secret}` } });
      await response.body?.cancel();
      return response.status;
    };
    assert.equal(await libraryStatus(), 200);
    partnerKey = secret;
  });

  await step('the admin registers a webhook; its signed test event reaches a receiver and the log shows it succeeded', async () => {
    // The partner's side: a receiver in Node that records what it gets and answers 200.
    const received = [];
    let pinged;
    const ping = new Promise((resolve) => { pinged = resolve; });
    const receiver = createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const delivery = { method: request.method, url: request.url, headers: request.headers, body };
        received.push(delivery);
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        if (request.headers['copse-event-type'] === 'ping') pinged(delivery);
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
    try {
      await page.click('nav.tab-links a:has-text("Webhooks")');
      await page.locator('[data-testid=webhooks]').waitFor();
      assert.match(page.url(), /\/admin\/webhooks$/);
      await page.fill('#webhook-url', hookUrl);
      await page.fill('#webhook-description', 'FAO e-Agriculture push');
      await page.check('#event-library_item-created');
      await page.click('[data-testid=create-webhook]');
      const secretField = page.locator('[data-testid=webhook-secret]');
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      assert.match(secret, /^whsec_/);
      await page.locator('.secret-panel', { hasText: 'Copse-Signature' }).waitFor();
      const row = page.locator('[data-testid=webhook-row]', { hasText: hookUrl });
      await row.locator('.badge.scope', { hasText: 'library_item.created' }).waitFor();
      await row.locator('.badge', { hasText: 'Active' }).waitFor();
      await page.screenshot({ path: out + 'webhooks-created.png', fullPage: true });

      await row.locator('[data-testid=ping-webhook]').click();
      // The worker sends within a second or two; give up after 15 s rather than hang.
      let timer;
      const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ping reached the receiver (${received.length} requests)`)), 15000);
      });
      const delivery = await Promise.race([ping, deadline]).finally(() => clearTimeout(timer));
      assert.equal(delivery.method, 'POST');
      assert.equal(delivery.url, '/hook');
      const payload = JSON.parse(delivery.body.toString('utf8'));
      assert.equal(payload.type, 'ping');
      assert.equal(delivery.headers['copse-event-id'], payload.id);
      // Verify the signature as a partner would: HMAC-SHA256 of "t.body", constant time.
      const items = delivery.headers['copse-signature'].split(',').map((item) => item.trim().split('='));
      const t = items.find(([key]) => key === 't')?.[1];
      assert.ok(t, 'the signature carries a timestamp');
      assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 300, 'the signature is recent');
      const expected = createHmac('sha256', secret).update(`${t}.${delivery.body.toString('utf8')}`).digest();
      const matches = items
        .filter(([key]) => key === 'v1')
        .map(([, hex]) => Buffer.from(hex, 'hex'))
        .some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
      assert.ok(matches, 'a v1 signature matches the secret');

      await row.locator('[data-testid=webhook-deliveries]').click();
      await page.locator('[data-testid=refresh-deliveries]').waitFor();
      assert.match(page.url(), /\/admin\/webhooks\/[^/]+$/);
      const pingDelivery = page.locator('[data-testid=webhook-delivery]', { hasText: 'ping' }).first();
      const succeeded = pingDelivery.locator('[data-testid=delivery-status][data-status=succeeded]');
      // The receiver has answered, but the worker records the outcome just after:
      // Refresh until the log shows it, within a deadline.
      const until = Date.now() + 15000;
      for (;;) {
        await page.click('[data-testid=refresh-deliveries]');
        const shown = await succeeded.waitFor({ timeout: 1000 }).then(() => true, () => false);
        if (shown) break;
        if (Date.now() > until) throw new Error('the ping delivery never showed as succeeded');
      }
      assert.equal(await succeeded.innerText(), 'succeeded');
      await pingDelivery.locator('[data-testid=delivery-attempt] td', { hasText: /^200$/ }).waitFor();
      await page.screenshot({ path: out + 'webhooks.png', fullPage: true });
      // The receiver goes away with this step: pause the endpoint so later changes
      // queue nothing for it.
      await page.click('[data-testid=webhook-log] a:has-text("All webhooks")');
      await row.locator('[data-testid=toggle-webhook]').click();
      await row.locator('.badge', { hasText: 'Paused' }).waitFor();
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  const privateName = 'Seed savers circle';
  const privatePath = '/groups/seed-savers-circle';

  await step('the admin creates a private group', async () => {
    await page.click('nav a:has-text("Groups")');
    await page.click('button:has-text("New group")');
    await page.fill('#group-name', privateName);
    await page.fill('#group-description', 'Where we swap **seeds** before the planting season.');
    await page.selectOption('#group-visibility', 'private');
    await page.click('button:has-text("Create group")');
    await page.locator('h1', { hasText: privateName }).waitFor();
    await page.locator('.group-header .badge', { hasText: 'Private' }).waitFor();
    assert.match(page.url(), new RegExp(privatePath + '$'));
  });

  await step('the second member gets the not-found page for the private group and does not see it listed', async () => {
    await second.goto(base + privatePath);
    await second.locator('h1', { hasText: 'Page not found' }).waitFor();
    assert.equal(await second.locator('h1', { hasText: privateName }).count(), 0);
    await second.click('nav a:has-text("Groups")');
    await second.click('[role=tab]:has-text("All groups")');
    await second.locator('[data-testid=group-card]', { hasText: groupName }).waitFor();
    assert.equal(await second.locator('[data-testid=group-card]', { hasText: privateName }).count(), 0);
  });

  await step('the second member asks to join from the private group\'s address', async () => {
    await second.goto(base + privatePath);
    await second.locator('h1', { hasText: 'Page not found' }).waitFor();
    await second.click('.ask-to-join button:has-text("Request to join")');
    await second.locator('[data-testid=request-sent]').waitFor();
  });

  await step('the admin approves the request in the group\'s Manage tab', async () => {
    await page.goto(base + privatePath);
    await page.click('[role=tab]:has-text("Manage")');
    const request = page.locator('#manage-requested-title').locator('xpath=..').locator('li.row', { hasText: memberName });
    await request.waitFor();
    await request.locator('button', { hasText: 'Approve' }).click();
    await page.locator('.empty', { hasText: 'No pending requests' }).waitFor();
    await page.locator('[data-testid=member-count]', { hasText: '2 members' }).waitFor();
  });

  await step('after a reload the second member sees the private group', async () => {
    await second.reload();
    await second.locator('h1', { hasText: privateName }).waitFor();
    await second.locator('button', { hasText: 'Leave group' }).waitFor();
    await second.click('nav a:has-text("Groups")');
    await second.locator('[data-testid=group-card]', { hasText: privateName }).waitFor();
  });

  const category = 'Soil science';
  let topicUrl;
  const question = 'How do you test soil organic carbon cheaply?';
  const answer = 'We use loss-on-ignition with a kitchen oven and a good scale.';

  await step('the admin creates and orders discussion categories in the admin area', async () => {
    await page.click('header a:has-text("Admin")');
    await page.click('nav.tab-links a:has-text("Categories")');
    await page.locator('.empty', { hasText: 'No categories yet' }).waitFor();
    await page.click('button:has-text("Create category")');
    await page.locator('#category-name-error').waitFor();
    for (const name of ['Field work', category]) {
      await page.fill('#category-name', name);
      await page.click('button:has-text("Create category")');
      await page.locator('[data-testid=category]', { hasText: name }).waitFor();
    }
    const rows = page.locator('[data-testid=category] strong');
    assert.deepEqual(await rows.allInnerTexts(), ['Field work', category]);
    await page.click(`button[aria-label="Move ${category} up"]`);
    await page.locator('[data-testid=category]').first().filter({ hasText: category }).waitFor();
    assert.deepEqual(await rows.allInnerTexts(), [category, 'Field work']);
  });

  await step('the second member asks a question in the new category', async () => {
    await second.click('nav a:has-text("Discussions")');
    await second.locator('.empty', { hasText: 'No topics match' }).waitFor();
    await second.click('a:has-text("New topic")');
    await second.locator('#topic-category').waitFor();
    await second.selectOption('#topic-category', { label: category });
    await second.check('input[name=topic-kind][value=question]');
    await second.fill('#topic-title', 'x');
    await second.click('button:has-text("Post topic")');
    await second.locator('#topic-title-error').waitFor();
    await second.fill('#topic-title', question);
    await second.fill('#topic-tags', 'soil, carbon');
    await second.fill('#topic-body', 'Lab tests cost too much for our farmers.\nWhat do you **use**?');
    await second.click('#topic-body-tab-preview');
    await second.locator('.preview', { hasText: 'What do you **use**?' }).waitFor();
    await second.click('#topic-body-tab-write');
    await second.click('button:has-text("Post topic")');
    await second.locator('h1', { hasText: question }).waitFor();
    topicUrl = second.url();
    assert.match(topicUrl, /\/discussions\/[^/]+$/);
    await second.locator('[data-testid=topic-badges] .badge', { hasText: 'Question' }).waitFor();
    await second.locator('[data-testid=post] .prose strong', { hasText: 'use' }).waitFor();
    await second.locator('[data-testid=first-reply]', { hasText: 'No replies yet' }).waitFor();
    assert.equal(await second.locator('[data-testid=watch]').innerText(), 'Stop watching');
  });

  await step('the admin finds the question in the list and answers it', async () => {
    await page.click('nav a:has-text("Discussions")');
    const row = page.locator('[data-testid=topic-row]', { hasText: question });
    await row.waitFor();
    assert.match(await row.innerText(), /Question/);
    assert.match(await row.innerText(), /#carbon/);
    assert.doesNotMatch(await row.innerText(), /Solved/);
    await row.locator('a', { hasText: question }).click();
    await page.locator('h1', { hasText: question }).waitFor();
    await page.locator('#moderation-title').waitFor();
    await page.fill('#reply-body', answer);
    await page.click('button:has-text("Post reply")');
    await page.locator('[data-testid=post]', { hasText: answer }).waitFor();
    assert.equal(await page.locator('[data-testid=post]').count(), 2);
  });

  await step('the asker\'s bell shows the reply, and the notification leads to it', async () => {
    await second.goto(base + '/discussions');
    const count = second.locator('[data-testid=bell-count]');
    await count.waitFor();
    assert.equal(await count.innerText(), '1');
    await second.click('[data-testid=bell]');
    const note = second.locator('[data-testid=notification]', { hasText: `${name} replied in “${question}”` });
    await note.waitFor();
    await note.locator('a').click();
    await second.locator('h1', { hasText: question }).waitFor();
    await count.waitFor({ state: 'detached' });
  });

  await step('the asker accepts the answer and the topic shows Solved', async () => {
    const reply = second.locator('[data-testid=post]', { hasText: answer });
    await reply.waitFor();
    await reply.locator('button', { hasText: 'Accept as answer' }).click();
    await reply.locator('[data-testid=accepted-badge]').waitFor();
    await second.locator('[data-testid=topic-badges] [data-testid=solved-badge]').waitFor();
    assert.match(await second.locator('[data-testid=first-reply]').innerText(), /First reply after/);
    await reply.locator('button[aria-label^="Thanks"]').click();
    await reply.locator('button[aria-pressed=true]', { hasText: '1' }).waitFor();
    await second.screenshot({ path: out + 'topic.png', fullPage: true });
    await second.click('nav a:has-text("Discussions")');
    const row = second.locator('[data-testid=topic-row]', { hasText: question });
    await row.locator('[data-testid=solved-badge]').waitFor();
    assert.match(await row.innerText(), /1 reply/);
    await second.screenshot({ path: out + 'discussions.png', fullPage: true });
  });

  await step('the topic reads well on a phone, and an unknown topic is not found', async () => {
    const phone = await other.newPage();
    await phone.setViewportSize({ width: 390, height: 780 });
    await phone.goto(base + '/discussions');
    await phone.locator('[data-testid=topic-row] a', { hasText: question }).click();
    await phone.locator('[data-testid=accepted-badge]').waitFor();
    await phone.screenshot({ path: out + 'topic-phone.png', fullPage: true });
    await phone.goto(base + '/discussions/no-such-topic');
    await phone.locator('h1', { hasText: 'Page not found' }).waitFor();
    await phone.close();
  });

  await step('the topic list filters by tag, category, kind and unanswered questions', async () => {
    await second.goto(base + '/discussions');
    const row = second.locator('[data-testid=topic-row]', { hasText: question });
    const none = second.locator('.empty', { hasText: 'No topics match' });
    await row.locator('a.tag', { hasText: '#carbon' }).click();
    await second.locator('.tag-filter', { hasText: '#carbon' }).waitFor();
    assert.match(second.url(), /[?&]tag=carbon/);
    await row.waitFor();
    await second.check('#filter-unanswered');
    await none.waitFor();
    await second.uncheck('#filter-unanswered');
    await row.waitFor();
    await second.selectOption('#filter-kind', 'discussion');
    await none.waitFor();
    await second.selectOption('#filter-kind', '');
    await row.waitFor();
    await second.selectOption('#filter-category', { label: 'Field work' });
    await none.waitFor();
    await second.selectOption('#filter-category', { label: category });
    await row.waitFor();
    assert.match(second.url(), /category=soil-science/);
    await second.click('.tag-filter button');
    await second.locator('.tag-filter').waitFor({ state: 'detached' });
    assert.doesNotMatch(second.url(), /tag=/);
  });

  await step('the asker replies with a quote, then edits the reply and finds the earlier text', async () => {
    const thanks = 'Thank you, we will try it this week.';
    await second.goto(topicUrl);
    const answerPost = second.locator('[data-testid=post]', { hasText: answer });
    await answerPost.locator('button', { hasText: 'Reply with quote' }).click();
    await second.locator('.quoting', { hasText: `Quoting #2 by ${name}` }).waitFor();
    assert.equal(await second.evaluate(() => document.activeElement.id), 'reply-body');
    await second.fill('#reply-body', thanks);
    await second.click('button:has-text("Post reply")');
    const mine = second.locator('[data-testid=post]', { hasText: thanks });
    await mine.locator('.quote', { hasText: answer }).waitFor();
    await mine.locator('button', { hasText: 'Edit' }).click();
    await second.locator('.post-editor button[type=submit]:not([disabled])').waitFor();
    await second.fill('#edit-body', `${thanks} Update: it worked.`);
    await second.click('.post-editor button[type=submit]');
    await mine.locator('.prose', { hasText: 'it worked' }).waitFor();
    await mine.locator('button', { hasText: 'edited' }).click();
    await mine.locator('.revision', { hasText: thanks }).waitFor();
  });

  await step('a flagged post reaches the admin\'s moderation queue and is dismissed', async () => {
    const answerPost = second.locator('[data-testid=post]', { hasText: answer });
    await answerPost.locator('button', { hasText: 'Flag' }).click();
    await second.fill('#flag-reason', 'x');
    await second.click('button:has-text("Send to moderators")');
    await second.locator('#flag-reason-error').waitFor();
    await second.fill('#flag-reason', 'This reads like an advertisement.');
    await second.click('button:has-text("Send to moderators")');
    await second.locator('.flag-form', { hasText: 'The moderators will look at this post' }).waitFor();
    await page.click('header a:has-text("Admin")');
    await page.click('nav.tab-links a:has-text("Flagged posts")');
    const flag = page.locator('[data-testid=flag]', { hasText: 'advertisement' });
    await flag.waitFor();
    assert.match(await flag.innerText(), new RegExp(`Flagged by ${memberName}`));
    assert.match(await flag.innerText(), /loss-on-ignition/);
    await page.screenshot({ path: out + 'admin-flags.png', fullPage: true });
    await flag.locator('button', { hasText: 'Dismiss' }).click();
    await page.locator('.empty', { hasText: 'No flagged posts' }).waitFor();
  });

  await step('the admin pins and locks the topic, and the asker can no longer reply', async () => {
    await page.goto(topicUrl);
    await page.click('.moderation button:has-text("Pin")');
    await page.locator('[data-testid=topic-badges] [data-testid=pinned-badge]').waitFor();
    await page.click('.moderation button:has-text("Lock")');
    await page.locator('[data-testid=topic-badges] [data-testid=locked-badge]').waitFor();
    await second.reload();
    await second.locator('#reply-disabled', { hasText: 'locked' }).waitFor();
    assert.equal(await second.locator('#reply-body').isDisabled(), true);
    await second.click('nav a:has-text("Discussions")');
    await second.locator('[data-testid=topic-row] [data-testid=pinned-badge]').waitFor();
  });

  await step('the asker watches the category, and sees it in the list of what they watch', async () => {
    await second.selectOption('#filter-category', { label: category });
    await second.waitForURL(/category=soil-science/);
    const watch = second.locator('button[data-testid=watch-category]');
    await watch.waitFor();
    assert.equal(await watch.getAttribute('aria-pressed'), 'false');
    await watch.click();
    await second.locator('button[data-testid=watch-category][aria-pressed=true]', { hasText: 'Stop watching' }).waitFor();
    await second.goto(base + '/notifications');
    await second.locator('[data-testid=watch-row]', { hasText: category }).waitFor();
  });

  await step('the admin splits the asker\'s reply off into a new topic', async () => {
    await page.goto(topicUrl);
    await page.click('.moderation button:has-text("Split replies")');
    const reply = page.locator('[data-testid=post]', { hasText: 'it worked' });
    await reply.locator('input.split-check').check();
    await page.fill('#split-title', 'Trying loss-on-ignition in the field');
    await page.click('.split-form button[type=submit]:has-text("Split off (1 chosen)")');
    await page.locator('h1#topic-title', { hasText: 'Trying loss-on-ignition in the field' }).waitFor();
    await page.locator('[data-testid=post]', { hasText: 'it worked' }).waitFor();
    await page.goto(topicUrl);
    await page.locator('[data-testid=post]').first().waitFor();
    assert.equal(await page.locator('[data-testid=post]', { hasText: 'it worked' }).count(), 0);
  });

  // Two small files made here: a one-page PDF (two versions) and a PNG picture.
  const pdf = (label) => {
    const content = `BT /F1 24 Tf 30 140 Td (${label}) Tj ET 0.2 0.4 0.7 rg 30 30 240 60 re f`;
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ];
    let text = '%PDF-1.4\n';
    const offsets = objects.map((body, i) => {
      const at = text.length;
      text += `${i + 1} 0 obj\n${body}\nendobj\n`;
      return at;
    });
    const xref = text.length;
    text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    text += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(text, 'latin1');
  };
  const firstPdf = pdf('Soil testing guide, 2025');
  const secondPdf = pdf('Soil testing guide, 2026');
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAFg0lEQVR4nBXUIcuDUACFYeMwGQwmWbxxmAwGkyzeKCaDYUmMbxSTwWCSxRuHyWAwifHGYVowLMniovHbd/7AA4fDMQyDk4Fl4BicDYTBxcA3CA2uBtIgNkgNbgaFAQalQW3QGtwNlMHDYDCYDBYDbfA0eBm8DT4GX4PDwDBMTiaWiWNyNhEmFxPfJDS5mkiT2CQ1uZkUJpiUJrVJa3I3USYPk8FkMllMtMnT5GXyNvmYfE0O8wfYnGwsG8fmbCNsLja+TWhztZE2sU1qc7MpbLApbWqb1uZuo2weNoPNZLPYaJunzcvmbfOx+doc9g9wOblYLo7L2UW4XFx8l9Dl6iJdYpfU5eZSuOBSutQurcvdRbk8XAaXyWVx0S5Pl5fL2+Xj8nU53B8gOAksgSM4C4TgIvAFoeAqkIJYkApugkKAoBTUglZwFyjBQzAIJsEi0IKn4CV4Cz6Cr+AQP8Dj5GF5OB5nD+Fx8fA9Qo+rh/SIPVKPm0fhgUfpUXu0HncP5fHwGDwmj8VDezw9Xh5vj4/H1+PwfkDAKcAKcALOASLgEuAHhAHXABkQB6QBt4AigIAyoA5oA+4BKuARMARMAUuADngGvALeAZ+Ab8AR/ICIU4QV4UScI0TEJcKPCCOuETIijkgjbhFFBBFlRB3RRtwjVMQjYoiYIpYIHfGMeEW8Iz4R34gj+gGSk8SSOJKzREguEl8SSq4SKYklqeQmKSRISkktaSV3iZI8JINkkiwSLXlKXpK35CP5Sg75AxJOCVaCk3BOEAmXBD8hTLgmyIQ4IU24JRQJJJQJdUKbcE9QCY+EIWFKWBJ0wjPhlfBO+CR8E47kB2ScMqwMJ+OcITIuGX5GmHHNkBlxRppxyygyyCgz6ow2456hMh4ZQ8aUsWTojGfGK+Od8cn4ZhzZD8g55Vg5Ts45R+RccvycMOeaI3PinDTnllPkkFPm1Dltzj1H5TxyhpwpZ8nROc+cV84755PzzTnyHwAnsMCB8//QuYAPIVz/OyeGFG5Q8J8SamjhDgoeMMAEC2h4wgve8IEvHL/3MipOFVaFU3GuEBWXCr8irLhWyIq4Iq24VRQVVJQVdUVbca9QFY+KoWKqWCp0xbPiVfGu+FR8K47qBzScGqwGp+HcIBouDX5D2HBtkA1xQ9pwaygaaCgb6oa24d6gGh4NQ8PUsDTohmfDq+Hd8Gn4NhzND+g4dVgdTse5Q3RcOvyOsOPaITvijrTj1lF00FF21B1tx71DdTw6ho6pY+nQHc+OV8e749Px7Ti6H6A4KSyFozgrhOKi8BWh4qqQiliRKm6KQv23XipqRau4K5TioRgUk2JRaMVT8VK8FR/FV3GoH9Bz6rF6nJ5zj+i59Pg9Yc+1R/bEPWnPrafooafsqXvannuP6nn0DD1Tz9Kje549r553z6fn23P0P2DkNGKNOCPnETFyGfFHwpHriByJR9KR20gxwkg5Uo+0I/cRNfIYGUamkWVEjzxHXiPvkc/Id+QYf8DMacaacWbOM2LmMuPPhDPXGTkTz6Qzt5lihplypp5pZ+4zauYxM8xMM8uMnnnOvGbeM5+Z78wx/wDNSWNpHM1ZIzQXja8JNVeN1MSaVHPTFPp/6qWm1rSau0ZpHppBM2kWjdY8NS/NW/PRfDWH/gErpxVrxVk5r4iVy4q/Eq5cV+RKvJKu3FaKFVbKlXqlXbmvqJXHyrAyrSwreuW58lp5r3xWvivH+gM2ThvWhrNx3hAblw1/I9y4bsiNeCPduG0UG2yUG/VGu3HfUBuPjWFj2lg29MZz47Xx3vhsfDeO7QfsnHasHWfnvCN2Ljv+Trhz3ZE78U66c9spdtgpd+qddue+o3YeO8POtLPs6J3nzmvnvfPZ+e4cO39nPzU9NX3y5gAAAABJRU5ErkJggg==',
    'base64');
  const guideTitle = 'Field guide to soil testing';
  let guidePath;

  await step('the admin shares a PDF in the library with the upload form', async () => {
    await page.click('nav a:has-text("Library")');
    await page.locator('h1', { hasText: 'Library' }).waitFor();
    await page.click('a:has-text("Share an item")');
    await page.fill('#item-title', guideTitle);
    await page.selectOption('#item-kind', 'document');
    await page.fill('#item-description', 'How to take and send **soil samples**.');
    await page.fill('#item-tags', 'soil-testing, field-work');
    await page.fill('#item-language', 'en');
    await page.fill('#item-licence', 'CC-BY-4.0');
    await page.setInputFiles('#item-file', { name: 'soil-guide.pdf', mimeType: 'application/pdf', buffer: firstPdf });
    await page.click('button[type=submit]:has-text("Share an item")');
    await page.locator('h1#item-title', { hasText: guideTitle }).waitFor();
    guidePath = new URL(page.url()).pathname;
    assert.match(guidePath, /^\/library\/[0-9a-f-]+$/);
    await page.locator('[data-testid=item-kind]', { hasText: 'Document' }).waitFor();
    // The preview is a picture of the PDF's first page, rendered by the server.
    await page.locator('.item-preview img[data-testid=image-preview]').waitFor();
    await page.waitForFunction(() => document.querySelector('.item-preview img')?.naturalWidth === 320);
    assert.equal(await page.locator('[data-testid=version]').count(), 1);
    await page.locator('.prose strong', { hasText: 'soil samples' }).waitFor();
  });

  await step('a second version is uploaded with a change note, and the first still downloads', async () => {
    await page.setInputFiles('#item-file', { name: 'soil-guide-2026.pdf', mimeType: 'application/pdf', buffer: secondPdf });
    await page.fill('#change-note', 'Updated for the 2026 season');
    await page.click('button[type=submit]:has-text("Upload")');
    await page.locator('[data-testid=version]').nth(1).waitFor();
    assert.equal(await page.locator('[data-testid=version]').count(), 2);
    await page.locator('[data-testid=version]', { hasText: 'Updated for the 2026 season' }).waitFor();
    await page.locator('button[data-testid=download-v2]', { hasText: 'Download' }).first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=version]', { hasText: 'soil-guide.pdf' }).locator('button', { hasText: 'Download version 1' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'soil-guide.pdf');
    const saved = readFileSync(await download.path());
    assert.ok(saved.equals(firstPdf), 'the first version downloads byte for byte');
    await page.locator('[data-testid=download-count]', { hasText: '1 download' }).waitFor();
    await page.screenshot({ path: out + 'library-item.png', fullPage: true });
  });

  await step('a picture gets a thumbnail, and the index filters by kind and licence', async () => {
    await page.goto(base + '/library/new');
    await page.fill('#item-title', 'Photo of the compost trial');
    await page.selectOption('#item-kind', 'media');
    await page.setInputFiles('#item-file', { name: 'compost.png', mimeType: 'image/png', buffer: png });
    await page.click('button[type=submit]:has-text("Share an item")');
    const thumbnail = page.locator('img[data-testid=image-preview]');
    await thumbnail.waitFor();
    await page.waitForFunction(() => document.querySelector('img[data-testid=image-preview]')?.naturalWidth > 0);
    await page.click('nav a:has-text("Library")');
    await page.locator('[data-testid=library-row]').nth(1).waitFor();
    await page.selectOption('#filter-kind', 'document');
    await page.waitForURL(/kind=document/);
    await page.locator('[data-testid=library-row]', { hasText: guideTitle }).waitFor();
    await page.locator('[data-testid=library-row]', { hasText: 'compost' }).waitFor({ state: 'detached' });
    await page.click('[data-testid=library-row] a.facet.licence');
    await page.waitForURL(/licence=CC-BY-4.0/);
    await page.locator('.chip', { hasText: 'CC-BY-4.0' }).waitFor();
    await page.locator('[data-testid=library-row]', { hasText: guideTitle }).waitFor();
    await page.screenshot({ path: out + 'library-index.png' });
  });

  await step('the second member comments in the item\'s discussion', async () => {
    await second.goto(base + guidePath);
    await second.locator('h1#item-title', { hasText: guideTitle }).waitFor();
    assert.equal(await second.locator('button', { hasText: 'Edit details' }).count(), 0);
    await second.fill('#reply-body', 'Does this work for clay soils too?');
    await second.click('button[type=submit]:has-text("Post reply")');
    await second.locator('.post-list', { hasText: 'Does this work for clay soils too?' }).waitFor();
  });

  await step('the second member bookmarks the item and finds it in My bookmarks', async () => {
    await second.click('button[data-testid=bookmark]');
    await second.locator('[data-testid=bookmarked]').waitFor();
    await second.goto(base + '/bookmarks');
    await second.locator('[data-testid=bookmark-row]', { hasText: guideTitle }).waitFor();
  });

  await step('the partner pushes an item by its own id, members see where it came from, and revoking the key shuts the partner out', async () => {
    const secret = partnerKey;
    const libraryStatus = async () => {
      const response = await fetch(`${base}/api/v1/library`, { headers: { Authorization: `Bearer ${secret}` } });
      await response.body?.cancel();
      return response.status;
    };
    // The partner pushes an item by its own id, twice: one item, marked with its source.
    const upsert = async () => {
      const response = await fetch(`${base}/api/v1/library/external/fao-e-agriculture/doc-42`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: 'Drip irrigation for smallholders', kind: 'link', url: 'https://www.fao.org/e-agriculture/drip',
          licence: 'CC-BY-4.0', source_name: 'FAO e-Agriculture', source_url: 'https://www.fao.org/e-agriculture/',
        }),
      });
      return { status: response.status, item: await response.json() };
    };
    const first = await upsert();
    assert.equal(first.status, 201);
    const second = await upsert();
    assert.deepEqual([second.status, second.item.summary.id], [200, first.item.summary.id]);
    await page.goto(`${base}/library/${first.item.summary.id}`);
    await page.locator('h1', { hasText: 'Drip irrigation for smallholders' }).waitFor();
    const provenance = page.locator('[data-testid=provenance]');
    await provenance.locator('a', { hasText: 'From FAO e-Agriculture' }).waitFor();
    assert.equal(await provenance.locator('a').getAttribute('href'), 'https://www.fao.org/e-agriculture/');
    await page.screenshot({ path: out + 'library-provenance.png', fullPage: true });
    await page.goto(`${base}/admin/api-keys`);
    const row = page.locator('[data-testid=api-key-row]', { hasText: 'FAO e-Agriculture sync' });
    await row.locator('[data-testid=revoke-api-key]').click();
    await row.locator('[data-testid=revoke-api-key-confirm]').click();
    await row.locator('.badge', { hasText: 'Revoked' }).waitFor();
    assert.equal(await libraryStatus(), 401);
  });

  await step('the admin fills in a profile with expertise and privacy choices', async () => {
    await page.goto(base + '/me/profile');
    await page.fill('#headline', 'Soil scientist supporting farmer field schools');
    await page.fill('#organisation', 'Kenya Soil Survey');
    await page.fill('#country', 'ke');
    await page.fill('#city', 'Nakuru');
    await page.fill('#languages', 'en, sw');
    await page.click('button:has-text("Add an area of expertise")');
    await page.fill('[data-testid=expertise-row] input[type=text]', 'soil-testing');
    await page.selectOption('[data-testid=expertise-row] select', 'expert');
    await page.selectOption('#email_visibility', 'facilitators');
    await page.check('#allow_contact');
    await page.click('button[type=submit]:has-text("Save")');
    await page.locator('.status-note', { hasText: 'Profile saved.' }).waitFor();
    await page.screenshot({ path: out + 'profile-editor.png', fullPage: true });
  });

  await step('the second member finds the admin by expertise, opens the profile and sends a message', async () => {
    await second.click('nav a:has-text("Members")');
    await second.fill('#dir-expertise', 'soil-testing');
    await second.click('form[role=search] button[type=submit]');
    await second.waitForURL(/expertise=soil-testing/);
    const card = second.locator('[data-testid=member-card]', { hasText: name });
    await card.waitFor();
    // The unfiltered list stays on screen until the filtered one arrives: wait for the
    // member without that expertise to leave before counting.
    await second.locator('[data-testid=member-card]', { hasText: memberName }).waitFor({ state: 'detached' });
    assert.equal(await second.locator('[data-testid=member-card]').count(), 1, 'only the expert matches');
    await second.screenshot({ path: out + 'directory.png' });
    await card.locator('a', { hasText: name }).click();
    await second.locator('h1#profile-name', { hasText: name }).waitFor();
    await second.locator('.tag.expertise', { hasText: 'soil-testing' }).waitFor();
    // The email is for facilitators only: a member's page does not contain it.
    assert.equal(await second.locator('[data-testid=profile-email]').count(), 0);
    assert.ok(!(await second.content()).includes(email), 'the hidden email is nowhere in the page');
    await second.fill('#contact-subject', 'Clay soils');
    await second.fill('#contact-message', 'Could we talk about sampling clay soils?');
    await second.click('button[type=submit]:has-text("Send message")');
    await second.locator('.status-note', { hasText: 'Message sent.' }).waitFor();
    await second.screenshot({ path: out + 'profile.png', fullPage: true });
  });

  await step('the admin sees the message in the notifications and previews the profile as a member', async () => {
    await page.goto(base + '/notifications');
    await page.locator('li', { hasText: 'Clay soils' }).first().waitFor();
    await page.goto(base + '/me/profile');
    await page.click('a:has-text("View my profile")');
    await page.locator('[data-testid=profile-email]').waitFor();
    await page.click('a:has-text("See it as a member does")');
    await page.locator('[data-testid=viewing-as-member]').waitFor();
    await page.locator('h1#profile-name', { hasText: name }).waitFor();
    assert.equal(await page.locator('[data-testid=profile-email]').count(), 0);
  });

  await step('sections not built yet say so', async () => {
    await page.click('nav a:has-text("News")');
    await page.locator('h2', { hasText: 'Coming soon' }).waitFor();
    assert.match(page.url(), /\/news$/);
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

  await step('a section opened for the first time shows a progress bar until its modules arrive', async () => {
    // A new page has a new wasm instance, so the library's modules are fetched again;
    // holding them keeps the router waiting for as long as the test needs (routing
    // also turns the HTTP cache off for this page).
    const fresh = await browser.newPage();
    await fresh.goto(base + '/');
    await fresh.locator('main h1').waitFor();
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await fresh.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await fresh.click('nav a:has-text("Library")');
    await fresh.locator('[role=progressbar]').waitFor({ state: 'visible' });
    await fresh.screenshot({ path: out + 'section-loading.png' });
    release();
    await fresh.locator('main h1', { hasText: 'Library' }).waitFor();
    await fresh.locator('[role=progressbar]').waitFor({ state: 'detached' });
    await fresh.close();
  });

  // Events: the 15th of next month, in the browser's own calendar (Node and Chromium
  // share this machine's time zone, so both agree on which month "next" is).
  const eventTitle = 'Soil sampling clinic';
  const nextMonth = new Date(new Date().getFullYear(), new Date().getMonth() + 1, 1);
  const ym = `${nextMonth.getFullYear()}-${String(nextMonth.getMonth() + 1).padStart(2, '0')}`;
  let eventPath;

  await step('the admin creates a hybrid event next month in Paris time, with two seats and a link for people going', async () => {
    await page.click('nav a:has-text("Events")');
    await page.locator('[data-testid=month-grid]').waitFor();
    await page.click('[data-testid=new-event]');
    await page.fill('#event-title', eventTitle);
    await page.fill('#event-description', 'Bring **two soil samples** from your plots.');
    await page.selectOption('#event-format', 'hybrid');
    await page.fill('#event-venue', 'Maison de la Terre, 12 rue des Champs, Paris');
    await page.fill('#event-online-url', 'https://meet.example.org/soil-clinic');
    await page.check('#event-link-going-only');
    await page.selectOption('#event-time-zone', 'Europe/Paris');
    await page.fill('#event-start', `${ym}-15T14:00`);
    await page.fill('#event-end', `${ym}-15T16:00`);
    await page.fill('#event-capacity', '2');
    await page.fill('#event-tags', 'soil-testing, field-work');
    await page.click('button[type=submit]:has-text("Create event")');
    await page.locator('h1#event-title', { hasText: eventTitle }).waitFor();
    eventPath = new URL(page.url()).pathname;
    assert.match(eventPath, /^\/events\/[^/]+$/);
    await page.locator('[data-testid=event-format]', { hasText: 'Hybrid' }).waitFor();
    await page.locator('[data-testid=event-venue]', { hasText: 'Maison de la Terre' }).waitFor();
    // The organiser always sees the link, with a note that others see it once going.
    await page.locator('[data-testid=online-link]', { hasText: 'meet.example.org' }).waitFor();
    await page.locator('[data-testid=going-count]', { hasText: '0 going' }).waitFor();
    await page.locator('[data-testid=seats-left]', { hasText: '2 seats left' }).waitFor();
    await page.screenshot({ path: out + 'event-organiser.png', fullPage: true });
  });

  await step('a member sees that the link appears once going, answers Going, and gets the link', async () => {
    await second.goto(base + eventPath);
    await second.locator('h1#event-title', { hasText: eventTitle }).waitFor();
    const hidden = second.locator('[data-testid=online-link-hidden]');
    await hidden.waitFor();
    assert.match(await hidden.innerText(), /the link appears once you are going/i);
    assert.equal(await second.locator('[data-testid=online-link]').count(), 0);
    assert.equal(await second.locator('[data-testid=edit-event]').count(), 0);
    await second.click('[data-testid=rsvp-going]');
    await second.locator('[data-testid=my-rsvp]', { hasText: 'You are going' }).waitFor();
    await second.locator('[data-testid=going-count]', { hasText: '1 going' }).waitFor();
    await second.locator('[data-testid=online-link]', { hasText: 'meet.example.org/soil-clinic' }).waitFor();
    assert.equal(await second.locator('[data-testid=online-link-hidden]').count(), 0);
    assert.equal(await second.getAttribute('[data-testid=rsvp-going]', 'aria-pressed'), 'true');
    await second.screenshot({ path: out + 'event-member.png', fullPage: true });
  });

  await step('the month view shows the event on its day after moving to next month', async () => {
    await second.click('nav a:has-text("Events")');
    await second.locator('[data-testid=month-grid]').waitFor();
    await second.click('[data-testid=next-month]');
    await second.waitForURL(new RegExp(`month=${ym}`));
    const day = second.locator(`[data-testid=day-${ym}-15]`);
    await day.locator('[data-testid=calendar-event]', { hasText: eventTitle }).waitFor();
    assert.equal(await second.locator('[data-testid=calendar-event]', { hasText: eventTitle }).count(), 1);
    await second.screenshot({ path: out + 'events-month.png', fullPage: true });
  });

  await step('the week agenda shows the event on its day after moving week by week', async () => {
    // Mondays in the browser's calendar (shared with Node, as above); local dates
    // keep the arithmetic right across daylight-saving changes.
    const pad = (n) => String(n).padStart(2, '0');
    const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const mondayOf = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate() - ((d.getDay() + 6) % 7));
    const target = isoDay(mondayOf(new Date(nextMonth.getFullYear(), nextMonth.getMonth(), 15)));
    await second.click('[data-testid=view-week]');
    await second.locator('[data-testid=week-agenda]').waitFor();
    let monday = mondayOf(new Date());
    for (let clicks = 0; isoDay(monday) !== target; clicks += 1) {
      assert.ok(clicks < 10, `the week of ${target} is more than ten weeks away`);
      monday = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7);
      await second.click('[data-testid=next-week]');
      await second.waitForURL(new RegExp(`week=${isoDay(monday)}`));
    }
    const day = second.locator(`[data-testid=day-${ym}-15]`);
    await day.locator('[data-testid=agenda-event]', { hasText: eventTitle }).waitFor();
    assert.equal(await second.locator('[data-testid=agenda-event]', { hasText: eventTitle }).count(), 1);
    await second.screenshot({ path: out + 'events-week.png', fullPage: true });
  });

  await step('a member makes a feed address, and its Atom feed of the library lists the shared items', async () => {
    await second.click('nav a:has-text("Events")');
    await second.locator('[data-testid=create-feed]').click();
    const atom = await second.inputValue('[data-testid=feed-atom-library]');
    assert.match(atom, /\/api\/v1\/feeds\/library\.atom\?token=copsefeed_/);
    // A feed reader sends no header: the token in the address is the credential.
    const response = await fetch(atom);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /application\/atom\+xml/);
    assert.match(await response.text(), /<entry>/);
  });

  assert.deepEqual(failures, [], 'the page logged errors');
  console.log('browser tests passed');
} finally {
  await browser.close();
}
