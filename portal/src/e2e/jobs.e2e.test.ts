/**
 * End to end, in Debian's Chromium against a real core and a real host agent: create an
 * enrolment token on the hosts page, start an agent with it, run a script on the agent from the
 * fast-execute page and read its log in the live result view; publish a library script; remove the
 * host and re-admit it.
 * Screenshots go to test-artifacts/portal/.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../../agent/dist/index.js';
import { shot } from './session.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal({ height: 900 });

const AGENT_IP = '10.77.0.5';

let agent: Agent | undefined;
const agentDir = mkdtempSync(join(tmpdir(), 'opsloom-portal-agent-'));

after(async () => {
  await agent?.stop().catch(() => undefined);
  rmSync(agentDir, { recursive: true, force: true });
});

test('enrols an agent with a token created on the hosts page', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=hosts`);
  const hosts = ui.page.locator('ol-hosts-agents');
  await hosts.getByText(/No host yet/).waitFor();
  await hosts.locator('#token-name').fill('e2e agents');
  await hosts.locator('button[type=submit]', { hasText: 'Create enrolment token' }).click();
  const command = (await hosts.locator('#agent-cmd').textContent()) ?? '';
  const m = /--server (\S+) --enrol-token (\S+) /.exec(command);
  assert.ok(m, `the start command names the server and the token: ${command}`);
  // The page is served by the test ui.front; the agent talks to core's own gateway.
  assert.match(m[1]!, /^ws:\/\/127\.0\.0\.1:\d+\/agent\/v1$/);
  agent = await Agent.start({
    server: `${ui.core.url.replace(/^http/, 'ws')}/agent/v1`, stateDir: agentDir, enrolToken: m[2]!, ip: AGENT_IP, hostname: 'web-7',
    reconnect: { baseMs: 50, maxMs: 300, removedMs: 500 },
  });
  await hosts.locator('tr', { hasText: 'e2e agents' }).waitFor();
  await shot(ui.page, '10d-jobs-hosts');
  // The host appears online once the agent's hello is in.
  for (let i = 0; i < 100; i++) {
    await hosts.locator('button', { hasText: 'Refresh' }).click();
    if (await hosts.locator(`tr[data-ip="${AGENT_IP}"] .online`).count()) break;
    await ui.page.waitForTimeout(100);
  }
  await hosts.locator(`tr[data-ip="${AGENT_IP}"] .online`).waitFor();
});

test('runs a script on the agent and reads its log, with sensitive parameters masked', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs`);
  const run = ui.page.locator('ol-fast-execute');
  const submit = run.locator('button[type=submit]');
  assert.equal(await submit.isDisabled(), true, 'no host chosen yet');
  await run.locator('#why-run', { hasText: 'choose at least one target host' }).waitFor();
  await run.locator('#job-name').fill('Say hello');
  const editor = run.locator('ol-script-editor textarea');
  await editor.fill('#!/bin/bash\necho "hello from $(hostname) with $# args"\necho "ERROR: nothing really"\njob_success "greeted"\n');
  await run.locator('ol-script-editor pre .builtin', { hasText: 'echo' }).first().waitFor();
  await run.locator('#params').fill('--token s3cret');
  await run.locator('input[name=sensitive]').check();
  await run.locator(`ol-host-picker input[data-ip="${AGENT_IP}"]`).check();
  await run.locator('ol-host-picker [role=status]', { hasText: '1 host selected' }).waitFor();
  await shot(ui.page, '10-jobs-fast-execute');
  await submit.click();
  await ui.page.waitForURL(/#\/p\/ops\/jobs\/[^/?]+$/);
  const result = ui.page.locator('ol-job-result');
  await result.locator('h1 + .badge[data-status=success]').waitFor({ timeout: 30_000 });
  await result.locator('.groups button', { hasText: 'Succeeded · greeted (1)' }).waitFor();
  const retry = result.locator('.op', { hasText: 'Retry failed hosts' });
  assert.equal(await retry.locator('button').isDisabled(), true);
  assert.equal(await retry.locator('.reason').textContent(), 'no host failed');
  await result.locator('h2 .hint code', { hasText: '******' }).waitFor();
  await result.locator(`tr.host[data-ip="${AGENT_IP}"]`).click();
  const log = result.locator('pre.log');
  await log.getByText(/hello from \S+ with 2 args/).waitFor();
  await result.locator('#log-filter').fill('error');
  await result.locator('[role=status]', { hasText: '1 matching line' }).waitFor();
  await log.locator('mark', { hasText: 'ERROR' }).waitFor();
  await result.locator('#keyword').fill('hello');
  await result.locator('button[type=submit]', { hasText: 'Search logs' }).click();
  await result.locator('li', { hasText: AGENT_IP }).waitFor();
  await shot(ui.page, '10b-job-result');
});

test('creates a library script and publishes it; the rules page lists the built-in rules and shows a refused script', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=scripts`);
  const lib = ui.page.locator('ol-script-library');
  await lib.locator('#s-name').fill('Disk report');
  await lib.locator('button[type=submit]', { hasText: 'Create script' }).click();
  await lib.locator('tr[data-version="1.0.0"] .badge', { hasText: 'draft' }).waitFor();
  await lib.locator('tr[data-version="1.0.0"] button', { hasText: 'Publish' }).click();
  await lib.locator('tr[data-version="1.0.0"] .badge', { hasText: 'online' }).waitFor();
  const publish = lib.locator('tr[data-version="1.0.0"] .op', { hasText: 'Publish' });
  assert.equal(await publish.locator('.reason').textContent(), 'this version is online already');
  await shot(ui.page, '10c-jobs-scripts');
  const hosts = await ui.core.admin.call<{ items: { id: string }[] }>('GET', '/api/v1/projects/ops/hosts');
  const refused = await ui.core.admin.call('POST', '/api/v1/projects/ops/jobs/script', { hostIds: [hosts.body.items[0]!.id], language: 'bash', content: 'echo tidy up\nrm -rf /\n' });
  assert.equal(refused.status, 422, 'a built-in rule refuses it');
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=rules`);
  const rules = ui.page.locator('ol-danger-rules');
  await rules.locator('section').first().waitFor();
  await rules.getByText(/High-risk command rules/).waitFor();
  const hit = rules.locator('tr', { hasText: 'rm -rf /' });
  await hit.locator('.badge', { hasText: 'blocked' }).waitFor();
  await hit.locator('button', { hasText: 'Script' }).click();
  assert.equal(await rules.locator('ol-script-editor textarea').inputValue(), 'echo tidy up\nrm -rf /\n');
  await shot(ui.page, '10e-jobs-rules');
});

test('the hits of high-risk rules load a page at a time, down to the first hit', async () => {
  const rule = await ui.core.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: 'paged-hit-marker', languages: ['bash'], description: 'paged', action: 'intercept' });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const hosts = await ui.core.admin.call<{ items: { id: string }[] }>('GET', '/api/v1/projects/ops/hosts');
  // 150 matching lines record 100 hits per refused run: 200 in all, with the earlier test's one.
  const script = 'echo paged-hit-marker\n'.repeat(150);
  for (let i = 0; i < 2; i++) assert.equal((await ui.core.admin.call('POST', '/api/v1/projects/ops/jobs/script', { hostIds: [hosts.body.items[0]!.id], language: 'bash', content: script })).status, 422);
  // The page is on this tab since the test before: load it afresh.
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=rules`);
  await ui.page.reload();
  const section = ui.page.locator('ol-danger-rules section', { hasText: 'Hits in this project' });
  const rows = section.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 100, 'one page at first');
  await section.locator('button', { hasText: 'Older hits' }).click();
  await rows.nth(100).waitFor();
  await section.locator('button', { hasText: 'Older hits' }).click();
  await section.locator('button', { hasText: 'Older hits' }).waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 201, 'every hit, the first one (rm -rf /) included');
  await rows.last().filter({ hasText: 'rm -rf /' }).waitFor();
  assert.equal((await ui.core.admin.call('DELETE', `/api/v1/danger-rules/${rule.body.id}`)).status, 204);
});

/** Runs a script on hosts no agent serves: a job of that many host results that none of them runs. */
async function ghostJob(name: string, hosts: number): Promise<string> {
  const targets = Array.from({ length: hosts }, (_, i) => ({ cloudArea: 0, ip: `10.99.${i >> 8}.${i & 255}` }));
  const r = await ui.core.admin.call<{ id: string }>('POST', '/api/v1/projects/ops/jobs/script', { name, hosts: targets, content: 'uptime', language: 'bash' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

test('a job of more hosts than one page shows them a page at a time', async () => {
  const id = await ghostJob('Ghost fleet', 1001);
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs/${id}`);
  const result = ui.page.locator('ol-job-result');
  const rows = result.locator('tr.host');
  await result.locator('.groups button', { hasText: 'All (1001)' }).waitFor();
  await rows.nth(999).waitFor();
  assert.equal(await rows.count(), 1000);
  const seen = new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ip'))));
  await result.locator('button', { hasText: 'Next hosts' }).click();
  await result.locator('.pager [role=status]', { hasText: 'Hosts 1001–1001 of 1001' }).waitFor();
  assert.equal(await rows.count(), 1);
  seen.add(await rows.getAttribute('data-ip'));
  assert.equal(seen.size, 1001, 'every host once across the pages');
  assert.equal(await result.locator('button', { hasText: 'Next hosts' }).isDisabled(), true);
  await result.locator('button', { hasText: 'Previous hosts' }).click();
  await result.locator('.pager [role=status]', { hasText: 'Hosts 1–1000 of 1001' }).waitFor();
});

test('the job history loads older jobs a page at a time, down to the first job', async () => {
  const count = 105;
  const names = Array.from({ length: count }, (_, i) => `Sweep ${String(i).padStart(3, '0')}`);
  for (const name of names) await ghostJob(name, 1);
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=history`);
  const history = ui.page.locator('ol-jobs-page');
  const rows = history.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 100);
  await history.locator('button', { hasText: 'Older jobs' }).click();
  await history.locator('button', { hasText: 'Older jobs' }).waitFor({ state: 'detached' });
  const listed = (await history.locator('tbody tr td:first-child a').allTextContents()).filter((n) => n.startsWith('Sweep'));
  assert.deepEqual(listed.sort(), names, 'every job once');
});

test('a host removed on the hosts page is kept out until it is re-admitted there', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/jobs?tab=hosts`);
  const hosts = ui.page.locator('ol-hosts-agents');
  await hosts.locator(`tr[data-ip="${AGENT_IP}"] .online`).waitFor();
  const refused = new Promise<{ code: string }>((resolve) => agent!.once('problem', resolve));
  await hosts.getByRole('button', { name: `Remove host ${AGENT_IP}` }).click();
  const removed = hosts.locator(`tr[data-removed-ip="${AGENT_IP}"]`);
  await removed.waitFor();
  assert.equal(await hosts.locator(`tr[data-ip="${AGENT_IP}"]`).count(), 0);
  assert.match((await removed.textContent()) ?? '', /by admin/);
  assert.equal((await refused).code, 'AGENT_REMOVED');
  await shot(ui.page, '10e-jobs-removed-host');
  await removed.getByRole('button', { name: `Re-admit host ${AGENT_IP}` }).click();
  await removed.waitFor({ state: 'detached' });
  // Re-admitted, the agent enrols again with its token on its own; the host is back once its hello is in.
  for (let i = 0; i < 100; i++) {
    await hosts.locator('button', { hasText: 'Refresh' }).click();
    if (await hosts.locator(`tr[data-ip="${AGENT_IP}"] .online`).count()) break;
    await ui.page.waitForTimeout(100);
  }
  await hosts.locator(`tr[data-ip="${AGENT_IP}"] .online`).waitFor();
});
