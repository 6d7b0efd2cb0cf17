import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import type { HostServices } from '@opsloom/plugin-runtime';
import type { PluginService } from '../plugin/plugin-service.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';
import { AgentPool, projectWithToken } from '../job/test-support/job-test-kit.js';


/** A plugin touring every host service: CMDB, secret, notify, then a script on the web module, polled to the end. */
const TOUR = `{
  async execute(inputs, ctx) {
    const hosts = await host.cmdb.read({ kind: 'hosts', topology: [{ set: 'shop', module: 'web' }] });
    const prod = await host.cmdb.read({ kind: 'hosts', labels: { env: 'prod' }, group: 'shop-all' });
    const topo = await host.cmdb.read({ kind: 'topology' });
    const token = await host.secrets.read('api-token');
    const sent = await host.notify.send({ channel: 'webhook', url: inputs.hook, body: { token: token, hosts: hosts.hosts.length } });
    let bad = null;
    try { await host.cmdb.read({ kind: 'hosts', ips: ['not-an-ip'] }); } catch (e) { bad = e.code; }
    let missing = null;
    try { await host.secrets.read('other-token'); } catch (e) { missing = e.code; }
    const job = await host.agent.execute({ action: 'start', script: 'echo "hello from $(hostname)"; echo tag-ok', language: 'sh', targets: { topology: [{ set: 'shop', module: 'web' }] } });
    return ctx.poll({ jobId: job.jobId, hosts: hosts.hosts, prod: prod.hosts.map(function (h) { return h.ip; }), topo: topo, sent: sent, bad: bad, missing: missing }, 100);
  },
  async poll(state, ctx) {
    const st = await host.agent.execute({ action: 'status', jobId: state.jobId });
    if (st.state === 'running') return ctx.poll(state, 100);
    const first = st.hosts[0];
    const log = await host.agent.execute({ action: 'log', jobId: state.jobId, hostId: first.hostId });
    return { hosts: state.hosts, prod: state.prod, topo: state.topo, sent: state.sent, bad: state.bad, missing: state.missing, state: st.state, counts: st.counts, statuses: st.hosts.map(function (h) { return h.ip + ':' + h.status + ':' + h.exitCode; }), log: log.text, logDone: log.done };
  }
}`;

/** Calls that must fail: undeclared capability, other project's hosts, hostile arguments. */
const PROBE = `{
  async execute(inputs) {
    const out = {};
    try { await host.cmdb.read({ kind: 'topology' }); out.cmdb = 'read'; } catch (e) { out.cmdb = e.code; }
    try { await host.agent.execute({ action: 'start', script: 'id', language: 'sh', targets: { group: 'shop-all' } }); out.group = 'started'; } catch (e) { out.group = e.code; }
    try { await host.agent.execute({ action: 'status', jobId: inputs.jobId }); out.status = 'seen'; } catch (e) { out.status = e.code; }
    try { await host.agent.execute({ action: 'start', script: 'id', language: 'cobol', targets: { hostIds: ['x'] } }); } catch (e) { out.language = e.code; }
    try { await host.notify.send({ channel: 'webhook', url: 'http://169.254.169.254/latest', body: {} }); } catch (e) { out.notify = e.code; }
    return out;
  }
}`;

async function installPlugin(s: TestServer, root: string, name: string, mode: 'sync' | 'poll', body: string, capabilities: string[]): Promise<void> {
  const dir = join(root, name.replace('/', '__'));
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name, version: '1.0.0', keywords: ['opsloom-plugin'],
    opsloom: { plugin: { title: name, category: 'test', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' }, mode, capabilities, limits: { memoryMb: 32, timeoutMs: 10_000 } } },
  }));
  writeFileSync(join(dir, 'dist', 'plugin.js'), `var __opsloomPlugin = definePlugin(${body});`);
  await (s.ops.services.modules.get('plugins') as PluginService).installFromDirectory(dir, { source: `local:${dir}`, approvedBy: 'admin' });
}

describe('host services through a real plugin in a flow', () => {
  let s: TestServer;
  let hooks: Server;
  let hookOrigin = '';
  const hookBodies: unknown[] = [];
  const pool = new AgentPool();
  let root: string;
  let ops: { projectId: string; token: string };
  let importedId: string;

  before(async () => {
    hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { hookBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8'))); res.end(); });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookOrigin = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    // Fast agent settings: a lost host is noticed within seconds.
    s = await startTestServer({ OPSLOOM_NOTIFY_ORIGINS: hookOrigin, OPSLOOM_JOB_GRACE: '2', OPSLOOM_JOB_SWEEP_MS: '300', OPSLOOM_AGENT_HEARTBEAT: '5' });
    root = mkdtempSync(join(tmpdir(), 'opsloom-host-services-'));
    await installPlugin(s, root, '@test/host-tour', 'poll', TOUR, ['cmdb.read', 'secrets.read:api-token', 'secrets.read:other-token', 'notify.send', 'agent.execute']);
    await installPlugin(s, root, '@test/host-probe', 'sync', PROBE, ['agent.execute', 'notify.send']);
    ops = await projectWithToken(s.admin, 'ops');
    const cmdb = `/api/v1/projects/ops/cmdb`;
    // 10.7.0.1 is imported before its agent exists; the agent's enrolment takes over the same host.
    const imported = await s.admin.call('POST', `${cmdb}/hosts/import`, {
      format: 'csv', createTopology: true,
      csv: 'cloudArea,ip,hostname,set,module,labels\n0,10.7.0.1,web-1,shop,web,env=prod;role=web\n0,10.7.0.3,db-1,shop,db,env=prod;role=db\n',
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    importedId = (await s.admin.call<{ items: { id: string }[] }>('GET', `${cmdb}/hosts?ip=10.7.0.1`)).body.items[0]!.id;
    const a1 = await pool.start(s, ops.token, ops.projectId, { ip: '10.7.0.1' });
    assert.equal(a1.hostId, importedId, 'the agent took over the imported host: one host, one id');
    const a2 = await pool.start(s, ops.token, ops.projectId, { ip: '10.7.0.2' });
    const topo = await s.admin.call<{ sets: { modules: { id: string; name: string }[] }[] }>('GET', `${cmdb}/topology`);
    const web = topo.body.sets[0]!.modules.find((m) => m.name === 'web')!;
    await s.admin.call('PUT', `${cmdb}/hosts/placement`, { hostIds: [a2.hostId], moduleId: web.id });
    await s.admin.call('PATCH', `${cmdb}/hosts/labels`, { hostIds: [a2.hostId], set: { env: 'staging', role: 'web' } });
    await s.admin.call('POST', `${cmdb}/groups`, { name: 'shop-all', query: { topology: [{ set: 'shop' }] } });
    await s.admin.call('POST', '/api/v1/projects/ops/secrets', { name: 'api-token', value: 's3cr3t-token' });
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
    hooks.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a plugin reads the CMDB, a secret, sends a notification and runs a script on a topology node', async () => {
    const f = flows(s.admin, 'ops');
    const id = await f.run(graph('tour', [start(), task('tour', '@test/host-tour', { hook: `${hookOrigin}/deploy` }), end()], [['start', 'tour'], ['tour', 'end']]));
    const t = await f.waitFor(id, (x) => x.state === 'finished' || x.state === 'failed', 'the end', 30_000);
    assert.equal(t.state, 'finished', JSON.stringify(t));
    const out = (await f.node(id, 'tour')).outputs as Record<string, unknown>;
    const hosts = out.hosts as { ip: string; set: string; module: string; agentOnline: boolean; labels: Record<string, string>; os: string }[];
    assert.deepEqual(hosts.map((h) => [h.ip, h.set, h.module, h.agentOnline]), [['10.7.0.1', 'shop', 'web', true], ['10.7.0.2', 'shop', 'web', true]]);
    assert.deepEqual(hosts[0]!.labels, { env: 'prod', role: 'web' });
    assert.ok(hosts[0]!.os.length > 0, 'the agent reported its OS');
    assert.deepEqual(out.prod, ['10.7.0.1', '10.7.0.3'], 'labels and group together');
    assert.deepEqual(out.topo, { sets: [{ name: 'shop', modules: [{ name: 'db', hostCount: 1 }, { name: 'web', hostCount: 2 }] }] });
    assert.deepEqual(out.sent, { delivered: true, detail: 'HTTP 200' });
    assert.deepEqual(hookBodies, [{ token: 's3cr3t-token', hosts: 2 }], 'the webhook got the secret the plugin read');
    assert.equal(out.bad, 'HOST_ARGS_INVALID');
    assert.equal(out.missing, 'SECRET_NOT_FOUND');
    assert.equal(out.state, 'success');
    assert.deepEqual(out.counts, { success: 2 });
    assert.deepEqual((out.statuses as string[]).sort(), ['10.7.0.1:success:0', '10.7.0.2:success:0']);
    assert.match(String(out.log), /hello from .*\ntag-ok/);
    assert.equal(out.logDone, true);
    const node = await f.node(id, 'tour');
    assert.doesNotMatch(JSON.stringify(node.logs), /s3cr3t/);
  });

  test('host services refuse undeclared capabilities, other projects\' resources and hostile arguments', async () => {
    const jobs = await s.admin.call<{ items: { id: string }[] }>('GET', '/api/v1/projects/ops/jobs');
    const opsJob = jobs.body.items[0]!.id;
    await s.admin.call('POST', '/api/v1/projects', { key: 'other', name: 'Other' });
    const f = flows(s.admin, 'other');
    const id = await f.run(graph('probe', [start(), task('probe', '@test/host-probe', { jobId: opsJob }), end()], [['start', 'probe'], ['probe', 'end']]));
    await f.waitState(id, 'finished');
    const outputs = (await f.node(id, 'probe')).outputs as Record<string, unknown>;
    const out = Object.fromEntries(Object.entries(outputs).filter(([k]) => !k.startsWith('_')));
    assert.deepEqual(out, { cmdb: 'CAPABILITY_DENIED', group: 'NOT_FOUND', status: 'NOT_FOUND', language: 'HOST_ARGS_INVALID', notify: 'NOTIFY_ORIGIN_NOT_ALLOWED' });
  });

  test('agent.transfer copies a file from a source host, or an uploaded file, to target hosts; a missing source is refused', async () => {
    const agent = s.ops.services.modules.get('host-services:agent') as HostServices;
    const ctx = { plugin: { name: '@test/direct', version: '1.0.0' }, context: { taskId: 't1', nodeId: 'n1', projectId: ops.projectId, attempt: 1 }, signal: new AbortController().signal };
    const src = join(root, 'source.bin');
    const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    writeFileSync(src, payload);
    const started = await agent.agentTransfer!({ action: 'start', source: { host: { cloudArea: 0, ip: '10.7.0.1' }, path: src }, targets: { hosts: [{ cloudArea: 0, ip: '10.7.0.2' }] }, targetPath: `${root}/out/` }, ctx) as { jobId: string };
    let st: { state: string; hosts: { status: string }[] };
    do {
      await new Promise((r) => setTimeout(r, 100));
      st = await agent.agentTransfer!({ action: 'status', jobId: started.jobId }, ctx) as typeof st;
    } while (st.state === 'running');
    assert.equal(st.state, 'success', JSON.stringify(st));
    assert.deepEqual(readFileSync(join(root, 'out', 'source.bin')), payload);
    await assert.rejects(agent.agentTransfer!({ action: 'start', source: { host: { cloudArea: 0, ip: '10.7.0.1' }, path: `${root}/missing` }, targets: { hostIds: [importedId] }, targetPath: '/tmp/x' }, ctx), { code: 'SOURCE_READ_FAILED' });
    await assert.rejects(agent.agentTransfer!({ action: 'start', source: { uploadId: 'no-such-upload' }, targets: { hostIds: [importedId] }, targetPath: '/tmp/x' }, ctx), { code: 'NOT_FOUND' });

    // An uploaded file: the body is the bytes, the name a plain file name; hostile names and oversize bodies are refused.
    const upload = async (name: string, body: Buffer) => (await fetch(`${s.url}/api/v1/projects/ops/uploads?name=${encodeURIComponent(name)}`, {
      method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/octet-stream' }, body,
    }));
    assert.equal((await upload('../../etc/passwd', payload)).status, 400);
    assert.equal((await upload('big.bin', Buffer.alloc(2 * 1024 * 1024 + 1))).status, 413);
    const up = await upload('release.tar', payload);
    assert.equal(up.status, 201);
    const uploaded = await up.json() as { id: string; sha256: string; size: number };
    assert.equal(uploaded.size, payload.length);
    const fromUpload = await agent.agentTransfer!({ action: 'start', source: { uploadId: uploaded.id }, targets: { hosts: [{ cloudArea: 0, ip: '10.7.0.2' }] }, targetPath: `${root}/up/` }, ctx) as { jobId: string };
    do {
      await new Promise((r) => setTimeout(r, 100));
      st = await agent.agentTransfer!({ action: 'status', jobId: fromUpload.jobId }, ctx) as typeof st;
    } while (st.state === 'running');
    assert.equal(st.state, 'success', JSON.stringify(st));
    assert.deepEqual(readFileSync(join(root, 'up', 'release.tar')), payload);
    const other = { ...ctx, context: { ...ctx.context, projectId: 'another-project' } };
    await assert.rejects(agent.agentTransfer!({ action: 'start', source: { uploadId: uploaded.id }, targets: { hosts: [{ cloudArea: 0, ip: '10.7.0.2' }] }, targetPath: '/tmp/x' }, other));
  });

  test('agent.transfer onto an existing directory puts the file inside it under its own name', async () => {
    const agent = s.ops.services.modules.get('host-services:agent') as HostServices;
    const ctx = { plugin: { name: '@test/direct', version: '1.0.0' }, context: { taskId: 't2', nodeId: 'n1', projectId: ops.projectId, attempt: 1 }, signal: new AbortController().signal };
    const src = join(root, 'config.bin');
    const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) % 256));
    writeFileSync(src, payload);
    mkdirSync(join(root, 'existing'));
    const started = await agent.agentTransfer!({ action: 'start', source: { host: { cloudArea: 0, ip: '10.7.0.1' }, path: src }, targets: { hosts: [{ cloudArea: 0, ip: '10.7.0.2' }] }, targetPath: join(root, 'existing') }, ctx) as { jobId: string };
    const st = await transferEnded(agent, started.jobId, ctx);
    assert.equal(st.state, 'success', JSON.stringify(st));
    assert.deepEqual(readdirSync(join(root, 'existing')), ['config.bin']);
    assert.deepEqual(readFileSync(join(root, 'existing', 'config.bin')), payload);
  });

  test('the job-transfer-file plugin puts the file inside targetPath, a directory it creates when missing', async () => {
    const pluginDir = fileURLToPath(new URL('../../../plugins/job-transfer-file/', import.meta.url));
    await (s.ops.services.modules.get('plugins') as PluginService).installFromDirectory(pluginDir, { source: `local:${pluginDir}`, approvedBy: 'admin' });
    const src = join(root, 'bundle.bin');
    const payload = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 11) % 256));
    writeFileSync(src, payload);
    const f = flows(s.admin, 'ops');
    const inputs = { source: { host: '0:10.7.0.1', path: src }, targets: { ips: ['0:10.7.0.2'] }, targetPath: join(root, 'releases'), maxPollIntervalSeconds: 1 };
    const id = await f.run(graph('push', [start(), task('push', '@opsloom/plugin-job-transfer-file', inputs), end()], [['start', 'push'], ['push', 'end']]));
    const t = await f.waitFor(id, (x) => x.state === 'finished' || x.state === 'failed', 'the end', 30_000);
    assert.equal(t.state, 'finished', JSON.stringify(t));
    assert.deepEqual(readdirSync(join(root, 'releases')), ['bundle.bin']);
    assert.deepEqual(readFileSync(join(root, 'releases', 'bundle.bin')), payload);
  });

  test('agent.transfer refuses a source whose output arrived cut short instead of distributing part of the file', async () => {
    const agent = s.ops.services.modules.get('host-services:agent') as HostServices;
    const ctx = { plugin: { name: '@test/direct', version: '1.0.0' }, context: { taskId: 't3', nodeId: 'n1', projectId: ops.projectId, attempt: 1 }, signal: new AbortController().signal };
    // This agent keeps only the first 1540 bytes of a run's output (20 lines of base64): the rest never reaches core.
    await pool.start(s, ops.token, ops.projectId, { ip: '10.7.0.4', maxLogBytes: 77 * 20 });
    const src = join(root, 'long.bin');
    writeFileSync(src, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)));
    await assert.rejects(agent.agentTransfer!({ action: 'start', source: { host: { cloudArea: 0, ip: '10.7.0.4' }, path: src }, targets: { hosts: [{ cloudArea: 0, ip: '10.7.0.2' }] }, targetPath: `${root}/short/` }, ctx), { code: 'SOURCE_READ_FAILED' });
  });
});

/** Polls a transfer until it has ended. */
async function transferEnded(agent: HostServices, jobId: string, ctx: Parameters<NonNullable<HostServices['agentTransfer']>>[1]): Promise<{ state: string; hosts: { status: string }[] }> {
  for (;;) {
    const st = await agent.agentTransfer!({ action: 'status', jobId }, ctx) as { state: string; hosts: { status: string }[] };
    if (st.state !== 'running') return st;
    await new Promise((r) => setTimeout(r, 100));
  }
}
