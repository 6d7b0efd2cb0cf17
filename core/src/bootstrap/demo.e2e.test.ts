import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { flows } from '../test-support/flow-helpers.js';
import type { BootstrapStatus } from './bootstrap-module.js';

type Json = Record<string, unknown>;

/**
 * The demo from the README, end to end: the bootstrap's "Release a service" template on the local
 * agent, notices to a local HTTP server standing for a customer system, the approval e-mail to a
 * local SMTP server, and the approval given through the API.
 */
describe('demo scenario: Release a service', () => {
  let s: TestServer;
  let smtp: SMTPServer;
  let hooks: Server;
  let hookUrl = '';
  const mails: { to: string[]; data: string }[] = [];
  const notices: Json[] = [];
  let templateId = '';

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { notices.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json); res.end('{}'); });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    hookUrl = `${origin}/hooks/release`;
    s = await startTestServer({
      OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0', OPSLOOM_LOCAL_AGENT: 'true',
      OPSLOOM_NOTIFY_ORIGINS: origin, OPSLOOM_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    });
    const status = s.ops.services.modules.get('bootstrap') as BootstrapStatus;
    assert.equal(status.localAgent?.online, true, 'the local agent is online');
    templateId = status.templateId!;
    assert.ok(templateId, 'the demo template exists');
  });
  after(async () => {
    await s?.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    hooks.closeAllConnections();
    await new Promise<void>((r) => hooks.close(() => r()));
  });

  test('healthy hosts: notices sent, approval mailed and given through the API, deploy runs on the local host', async () => {
    const f = flows(s.admin, 'demo');
    const id = await f.create(templateId, { variables: { version: '2.3.1', service: 'billing', notify_url: hookUrl, approver_email: 'lead@example.com' } });
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    await f.waitNode(id, 'approval', 'waiting');

    const check = await f.node(id, 'health_check');
    assert.deepEqual([check.outputs.total, check.outputs.failedCount, check.outputs.successHosts], [1, 0, ['0:127.0.0.1']]);
    assert.deepEqual(notices, [{ event: 'release.started', service: 'billing', version: '2.3.1', hosts: '1', task: notices[0]?.task }]);
    assert.match(String(notices[0]!.task), new RegExp(`/tasks/${id}$`));
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]!.to, ['lead@example.com']);
    assert.match(mails[0]!.data, /Release billing 2\.3\.1/);

    // A raw callback could name any approver: it is refused, and the node still waits for a decision.
    const waiting = await f.waitNode(id, 'approval', 'waiting');
    const forged = await f.op(id, 'approval', 'callback', { version: waiting.nodes.approval!.version, data: { decision: 'approve', user: 'alice', role: 'approver' } });
    assert.equal(forged.status, 409, JSON.stringify(forged.body));
    assert.equal(forged.body.code, 'use_approve');
    assert.equal((await f.get(id)).nodes.approval!.state, 'waiting');

    const approve = await f.op(id, 'approval', 'approve', { decision: 'approve', comment: 'ship it' });
    assert.equal(approve.status, 200, JSON.stringify(approve.body));
    const done = await f.waitFor(id, (t) => t.state === 'finished' || t.state === 'failed', 'the end');
    assert.equal(done.state, 'finished', JSON.stringify(done));
    assert.equal(done.nodes.notify_failure?.state, 'pending', 'the failure branch was not taken');
    const approval = await f.node(id, 'approval');
    assert.deepEqual([approval.outputs.decision, approval.outputs.approver, approval.outputs.comment], ['approve', 'admin', 'ship it']);
    const deploy = await f.node(id, 'deploy');
    assert.deepEqual([deploy.outputs.state, deploy.outputs.successHosts], ['success', ['0:127.0.0.1']]);
    assert.equal((deploy.inputs as Json).params, '2.3.1');
    const job = await s.admin.call<{ items: { id: string }[] }>('GET', `/api/v1/projects/demo/jobs/${String(deploy.outputs.jobId)}/hosts`);
    assert.equal(job.status, 200);
    const run = (job.body.items[0] as unknown as { runId: string }).runId;
    const log = await s.admin.call<{ data: string }>('GET', `/api/v1/projects/demo/jobs/${String(deploy.outputs.jobId)}/runs/${run}/log`);
    assert.match(Buffer.from(log.body.data, 'base64').toString('utf8'), /deploying version 2\.3\.1 on /);
  });

  test('a failing health check takes the failure branch after the approval: no deploy, a failure notice', async () => {
    notices.length = 0;
    const f = flows(s.admin, 'demo');
    const id = await f.create(templateId, { variables: { version: '2.3.2', notify_url: hookUrl, health_check_script: 'echo unhealthy; exit 3' } });
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    await f.waitNode(id, 'approval', 'waiting');
    assert.equal((await f.node(id, 'health_check')).outputs.failedCount, 1);
    assert.equal((await f.op(id, 'approval', 'approve', { decision: 'approve', comment: 'see what happens' })).status, 200);
    const done = await f.waitFor(id, (t) => t.state === 'finished' || t.state === 'failed', 'the end');
    assert.equal(done.state, 'finished', JSON.stringify(done));
    assert.equal(done.nodes.deploy?.state, 'pending', 'deploy did not run');
    assert.equal(done.nodes.notify_failure?.state, 'finished');
    assert.deepEqual(notices.map((n) => [n.event, n.version, n.failed ?? null]), [['release.started', '2.3.2', null], ['release.failed', '2.3.2', '1']]);
  });

  test('a rejection fails the task with the approver\'s comment', async () => {
    const f = flows(s.admin, 'demo');
    const id = await f.create(templateId, { variables: { version: '9.9.9' } });
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    await f.waitNode(id, 'approval', 'waiting');
    assert.equal((await f.op(id, 'approval', 'approve', { decision: 'reject', comment: 'not today' })).status, 200);
    const done = await f.waitState(id, 'failed');
    assert.match(String(done.nodes.approval?.error), /not today/);
    assert.equal(done.nodes.deploy?.state, 'pending');
  });
});
