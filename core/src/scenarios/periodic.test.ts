import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, startTestServer, type TestServer } from '../test-support/test-server.js';
import { installTestPlugins } from '../test-support/test-plugins.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';
import type { PeriodicService } from '../cron/periodic-service.js';
import { newId } from '../store/ids.js';

describe('periodic and clocked tasks', () => {
  let s: TestServer;
  let f: ReturnType<typeof flows>;
  let templateId: string;
  let scheduler: PeriodicService;
  const base = '/api/v1/projects/ops/periodic-tasks';
  before(async () => {
    // The scheduler loop is off: the test drives passes with explicit clocks.
    s = await startTestServer({ OPSLOOM_ROLES: 'api,worker' });
    await installTestPlugins(s, '1.0.0', ['@test/echo']);
    await s.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Ops', timeZone: 'Asia/Shanghai' });
    f = flows(s.admin, 'ops');
    templateId = await f.template(graph('nightly', [start(), task('a', '@test/echo', { value: '${who}' }), end()], [['start', 'a'], ['a', 'end']], { who: { type: 'string', value: 'cron', show: true } }));
    scheduler = s.ops.services.modules.get('periodic') as PeriodicService;
  });
  after(async () => { await s.close(); });

  test('invalid schedules are refused with the reason', async () => {
    const six = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, cron: '0 0 2 * * *' });
    assert.equal(six.status, 400);
    assert.match(six.body.detail, /has 6 fields; use 5/);
    const bad = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, cron: '61 * * * *' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /not a valid crontab expression/);
    const both = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, cron: '* * * * *', runAt: new Date().toISOString() });
    assert.equal(both.status, 400);
    assert.match(both.body.detail, /cron \(periodic\) or runAt \(clocked\), not both/);
    // No schedule at all is not "both": the refusal says what is missing.
    const neither = await s.admin.call<{ detail: string; errors: { path: string; message: string }[] }>('POST', base, { name: 'x', templateId });
    assert.equal(neither.status, 400);
    assert.equal(neither.body.detail, 'body: give a schedule: cron (periodic) or runAt (clocked)');
    assert.deepEqual(neither.body.errors, [{ path: 'body.cron', message: 'give cron or runAt' }]);
    // A clocked task's runAt carries its own offset: a zone beside it would be dropped unseen, so it is refused.
    const zoned = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, runAt: new Date(Date.now() + 3600_000).toISOString(), timeZone: 'Asia/Tokyo' });
    assert.equal(zoned.status, 400);
    assert.match(zoned.body.detail, /^body\.timeZone: a clocked task runs once at runAt/);
    const past = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, runAt: new Date(Date.now() - 3600_000).toISOString() });
    assert.equal(past.status, 400);
    assert.match(past.body.detail, /runAt: .* has passed/);
  });

  test('a schedule saved disabled shows no next run until it is enabled; a fired clocked task is enabled again only with a new time', async () => {
    const off = await s.admin.call<{ id: string; nextRunAt: string | null }>('POST', base, { name: 'off', templateId, cron: '0 3 * * *', enabled: false });
    assert.equal(off.status, 201);
    assert.equal(off.body.nextRunAt, null);
    const on = await s.admin.call<{ nextRunAt: string | null }>('PATCH', `${base}/${off.body.id}`, { enabled: true });
    assert.ok(on.body.nextRunAt && Date.parse(on.body.nextRunAt) > Date.now(), JSON.stringify(on.body));

    // A time just past is taken (it fires at once).
    const runAt = Date.now() - 1000;
    const once = await s.admin.call<{ id: string }>('POST', base, { name: 'once-more', templateId, runAt: new Date(runAt).toISOString() });
    assert.equal(once.status, 201);
    await scheduler.tick(Date.now());
    const fired = await s.admin.call<{ enabled: boolean; totalRuns: number }>('GET', `${base}/${once.body.id}`);
    assert.deepEqual([fired.body.enabled, fired.body.totalRuns], [false, 1], 'it fired once and is done');
    assert.equal((await s.admin.call('PATCH', `${base}/${once.body.id}`, { name: 'renamed' })).status, 200, 'renaming a fired one still works');
    const stale = await s.admin.call<{ detail: string; errors: { path: string }[] }>('PATCH', `${base}/${once.body.id}`, { enabled: true });
    assert.equal(stale.status, 400);
    // No runAt was sent: the refusal names what was, and says how to enable it again.
    assert.deepEqual(stale.body.errors.map((e) => e.path), ['body.enabled']);
    assert.match(stale.body.detail, /^body\.enabled: this clocked task's time \(.+\) has passed; send a new runAt/);
    const again = await s.admin.call<{ enabled: boolean; nextRunAt: string }>('PATCH', `${base}/${once.body.id}`, { enabled: true, runAt: new Date(Date.now() + 3600_000).toISOString() });
    assert.equal(again.status, 200);
    assert.equal(again.body.enabled, true);
    // Out of the way of the later tests' clocks.
    for (const id of [off.body.id, once.body.id]) assert.equal((await s.admin.call('DELETE', `${base}/${id}`)).status, 204);
  });

  test('variables and exclusions are checked when a periodic task is saved, not first when a slot fires', async () => {
    const unknown = await s.admin.call<{ detail: string }>('POST', base, { name: 'x', templateId, cron: '0 3 * * *', variables: { whom: 'typo' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /whom/);
    const excluded = await s.admin.call<{ code: string }>('POST', base, { name: 'x', templateId, cron: '0 3 * * *', excludeNodes: ['a'] });
    assert.equal(excluded.status, 422);
    assert.equal(excluded.body.code, 'node_not_optional');
    const created = await s.admin.call<{ id: string }>('POST', base, { name: 'checked', templateId, cron: '0 3 * * *', variables: { who: 'ok' } });
    assert.equal(created.status, 201);
    const patched = await s.admin.call('PATCH', `${base}/${created.body.id}`, { variables: { whom: 'typo' } });
    assert.equal(patched.status, 400);
    const list = await s.admin.call<{ items: { name: string }[] }>('GET', base);
    assert.equal(list.body.items.filter((p) => p.name === 'x').length, 0, 'nothing was saved');

    // One that a later template version broke can still be disabled, but not enabled again.
    const changing = await f.template(graph('changing', [start(), task('a', '@test/echo', { value: '${who}' }), end()], [['start', 'a'], ['a', 'end']], { who: { type: 'string', show: true } }));
    const broken = await s.admin.call<{ id: string }>('POST', base, { name: 'broken', templateId: changing, cron: '0 3 * * *', variables: { who: 'x' } });
    assert.equal(broken.status, 201);
    const v2 = graph('changing', [start(), task('a', '@test/echo', { value: '${whom}' }), end()], [['start', 'a'], ['a', 'end']], { whom: { type: 'string', show: true } });
    assert.equal((await s.admin.call('PUT', `/api/v1/projects/ops/templates/${changing}`, { graph: v2 })).status, 200);
    assert.equal((await s.admin.call('PATCH', `${base}/${broken.body.id}`, { enabled: false })).status, 200);
    assert.equal((await s.admin.call('PATCH', `${base}/${broken.body.id}`, { enabled: true })).status, 400);
  });

  test("a periodic task's template version can be pinned and unpinned again (null: the latest)", async () => {
    const created = await s.admin.call<{ id: string; templateVersion: number | null }>('POST', base, { name: 'pinned', templateId, version: 1, cron: '0 6 * * *', enabled: false });
    assert.equal(created.body.templateVersion, 1);
    const latest = await s.admin.call<{ templateVersion: number | null }>('PATCH', `${base}/${created.body.id}`, { version: null });
    assert.equal(latest.status, 200, JSON.stringify(latest.body));
    assert.equal(latest.body.templateVersion, null);
    const renamed = await s.admin.call<{ templateVersion: number | null }>('PATCH', `${base}/${created.body.id}`, { name: 'still latest' });
    assert.equal(renamed.body.templateVersion, null, 'a patch without version leaves it as it is');
    const again = await s.admin.call<{ templateVersion: number | null }>('PATCH', `${base}/${created.body.id}`, { version: 1 });
    assert.equal(again.body.templateVersion, 1);
    assert.equal((await s.admin.call('PATCH', `${base}/${created.body.id}`, { version: 99 })).status, 404, 'a version that does not exist is refused');
  });

  test('a periodic task can be turned into a clocked one and back by giving the other schedule', async () => {
    const created = await s.admin.call<{ id: string }>('POST', base, { name: 'switch', templateId, cron: '0 4 * * *', enabled: false });
    const runAt = new Date(Date.now() + 3600_000).toISOString();
    const clocked = await s.admin.call<{ kind: string; cron: string | null; runAt: string }>('PATCH', `${base}/${created.body.id}`, { runAt });
    assert.equal(clocked.status, 200, JSON.stringify(clocked.body));
    assert.deepEqual([clocked.body.kind, clocked.body.cron, clocked.body.runAt], ['clocked', null, runAt]);
    assert.equal((await s.admin.call('PATCH', `${base}/${created.body.id}`, { timeZone: 'Asia/Tokyo' })).status, 400, 'a zone is for cron schedules, not taken and ignored');
    const periodic = await s.admin.call<{ kind: string; cron: string | null; runAt: string | null }>('PATCH', `${base}/${created.body.id}`, { cron: '0 5 * * *' });
    assert.equal(periodic.status, 200, JSON.stringify(periodic.body));
    assert.deepEqual([periodic.body.kind, periodic.body.cron, periodic.body.runAt], ['periodic', '0 5 * * *', null]);
  });

  test('a periodic task keeps its template: a PATCH naming another one is refused, not answered 200 and ignored', async () => {
    const created = await s.admin.call<{ id: string }>('POST', base, { name: 'kept', templateId, cron: '0 6 * * *' });
    const other = await f.template(graph('other', [start(), task('a', '@test/echo'), end()], [['start', 'a'], ['a', 'end']]));
    const moved = await s.admin.call<{ detail: string }>('PATCH', `${base}/${created.body.id}`, { templateId: other, cron: '0 7 * * *' });
    assert.equal(moved.status, 400, JSON.stringify(moved.body));
    assert.match(moved.body.detail, /templateId/);
    const p = await s.admin.call<{ templateId: string; cron: string }>('GET', `${base}/${created.body.id}`);
    assert.deepEqual([p.body.templateId, p.body.cron], [templateId, '0 6 * * *'], 'nothing changed');
    const same = await s.admin.call('PATCH', `${base}/${created.body.id}`, { templateId, cron: '0 7 * * *' });
    assert.equal(same.status, 200, 'naming the template it has is fine');
  });

  test('a periodic task keeps as many exclusions as a task accepts', async () => {
    const ids = Array.from({ length: 1100 }, (_, i) => `optional_step_${String(i).padStart(4, '0')}_`.padEnd(64, 'x'));
    const g = graph('many optional', [start(), ...ids.map((id) => task(id, '@test/echo', {}, { optional: true })), end()],
      [['start', ids[0]!], ...ids.slice(1).map((id, i): [string, string] => [ids[i]!, id]), [ids.at(-1)!, 'end']]);
    const many = await f.template(g);
    const created = await s.admin.call<{ id: string; excludeNodes: string[] }>('POST', base, { name: 'lean', templateId: many, cron: '0 8 * * *', excludeNodes: ids });
    assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 300));
    assert.deepEqual((await s.admin.call<{ excludeNodes: string[] }>('GET', `${base}/${created.body.id}`)).body.excludeNodes, ids);
    const tooMany = await s.admin.call('POST', base, { name: 'lean', templateId: many, cron: '0 8 * * *', excludeNodes: Array(10_001).fill(ids[0]) });
    assert.equal(tooMany.status, 400);
  });

  test('a cron slot in the project time zone fires exactly once however many schedulers run', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string; timeZone: string }>('POST', base, { name: 'nightly', templateId, cron: '30 2 * * *', variables: { who: 'night' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.timeZone, 'Asia/Shanghai');
    const next = Date.parse(created.body.nextRunAt);
    assert.equal(new Date(next).getUTCHours(), 18, '02:30 in Shanghai is 18:30 UTC');
    const detail = await s.admin.call<{ upcoming: string[] }>('GET', `${base}/${created.body.id}`);
    assert.equal(detail.body.upcoming.length, 5);
    assert.equal(Date.parse(detail.body.upcoming[1]!) - Date.parse(detail.body.upcoming[0]!), 86_400_000);

    const fired = await Promise.all([scheduler.tick(next + 500), scheduler.tick(next + 500), scheduler.tick(next + 700)]);
    assert.equal(fired.reduce((a, b) => a + b, 0), 1);
    const history = await s.admin.call<{ items: { outcome: string; taskId: string }[] }>('GET', `${base}/${created.body.id}/history`);
    assert.equal(history.body.items.length, 1);
    const t = await f.waitState(history.body.items[0]!.taskId, 'finished');
    assert.ok(t);
    const node = await f.node(history.body.items[0]!.taskId, 'a');
    assert.equal(node.inputs.value, 'night');
    const after1 = await s.admin.call<{ nextRunAt: string; totalRuns: number }>('GET', `${base}/${created.body.id}`);
    assert.equal(Date.parse(after1.body.nextRunAt), next + 86_400_000);
    assert.equal(after1.body.totalRuns, 1);
  });

  test('a scheduler killed between claiming a slot and moving the schedule on does not stop the periodic task for good', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'claimed', templateId, cron: '*/5 * * * *' });
    const slot = Date.parse(created.body.nextRunAt);
    // What the killed scheduler left: the slot's claim is written, the schedule still points at it.
    await s.ops.db('periodic_runs').insert({ periodic_id: created.body.id, slot_at: slot, outcome: 'started', created_at: slot });
    await scheduler.tick(slot + 500);
    const p = await s.admin.call<{ nextRunAt: string }>('GET', `${base}/${created.body.id}`);
    assert.equal(Date.parse(p.body.nextRunAt), slot + 300_000, 'the schedule moved past the claimed slot');
    assert.equal(await scheduler.tick(slot + 300_500), 1, 'the next slot fires');
  });

  test('a slot whose scheduler stopped after claiming it is started by a later pass, once', async () => {
    const history = async (id: string) => (await s.admin.call<{ items: { outcome: string; taskId: string | null; error: string | null }[] }>('GET', `${base}/${id}/history`)).body.items;
    // What a scheduler killed right after its claim committed leaves: the schedule moved on, the
    // slot claimed with its task's id reserved, no task. Once before creating, once between creating and starting.
    const leaveClaimed = async (name: string, create: boolean) => {
      // At minutes no other test's slot is near: a pass counts only these.
      const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name, templateId, cron: '17 3 * * *', variables: { who: name } });
      const slot = Date.parse(created.body.nextRunAt);
      const taskId = newId();
      await s.ops.db('periodic_tasks').where({ id: created.body.id }).update({ next_run_at: slot + 300_000 });
      await s.ops.db('periodic_runs').insert({ periodic_id: created.body.id, slot_at: slot, outcome: 'claimed', task_id: taskId, created_at: slot + 100 });
      if (create) {
        const flow = s.ops.services.modules.get('flow') as { tasks: { create(projectId: string, by: string, input: object): Promise<unknown> } };
        const project = await s.ops.services.projects.get('ops');
        await flow.tasks.create(project.id, 'admin', { id: taskId, templateId, variables: { who: name }, createMethod: 'periodic' });
      }
      return { id: created.body.id, slot, taskId };
    };
    const lost = await leaveClaimed('lost', false);
    const half = await leaveClaimed('half', true);
    assert.equal(await scheduler.tick(lost.slot + 5_000), 0, 'a claim this fresh may still be its scheduler at work');
    assert.equal((await history(lost.id))[0]!.outcome, 'claimed');

    const taskCount = async () => Number((await s.ops.db('tasks').count({ n: '*' }))[0]!.n);
    const before = await taskCount();
    const fired = await Promise.all([scheduler.tick(lost.slot + 20_000), scheduler.tick(lost.slot + 20_000), scheduler.tick(lost.slot + 20_500)]);
    assert.equal(fired.reduce((a, b) => a + b, 0), 2, 'each stopped slot fired once, however many schedulers finished it');
    for (const [left, who] of [[lost, 'lost'], [half, 'half']] as const) {
      const items = await history(left.id);
      assert.deepEqual(items.map((h) => [h.outcome, h.taskId]), [['started', left.taskId]]);
      await f.waitState(left.taskId, 'finished');
      assert.equal((await f.node(left.taskId, 'a')).inputs.value, who);
    }
    assert.equal(await taskCount(), before + 1, 'one task made for the slot left without one; none for the slot whose task was made');
  });

  test('a claimed slot found after its time has passed is missed, unless its task did start', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'late', templateId, cron: '43 4 * * *' });
    const slot = Date.parse(created.body.nextRunAt);
    await s.ops.db('periodic_tasks').where({ id: created.body.id }).update({ next_run_at: slot + 3600_000 });
    const taskId = newId();
    await s.ops.db('periodic_runs').insert({ periodic_id: created.body.id, slot_at: slot, outcome: 'claimed', task_id: taskId, created_at: slot });
    assert.equal(await scheduler.tick(slot + 600_000), 0);
    const items = (await s.admin.call<{ items: { outcome: string; error: string }[] }>('GET', `${base}/${created.body.id}/history`)).body.items;
    assert.equal(items[0]!.outcome, 'missed');
    assert.match(items[0]!.error, /stopped before it started/);
    assert.equal((await s.admin.call('GET', `/api/v1/projects/ops/tasks/${taskId}`)).status, 404, 'no task fired late');
    assert.equal((items[0] as { taskId?: string | null }).taskId, null, 'and the history links none');

    // Killed after starting the task, before recording it: the slot did fire.
    const ran = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'ran', templateId, cron: '43 4 * * *' });
    const ranSlot = Date.parse(ran.body.nextRunAt);
    await s.ops.db('periodic_tasks').where({ id: ran.body.id }).update({ next_run_at: ranSlot + 3600_000 });
    const started = await f.create(templateId, { variables: { who: 'ran' } });
    assert.equal((await s.admin.call('POST', `/api/v1/projects/ops/tasks/${started}/start`)).status, 200);
    await s.ops.db('periodic_runs').insert({ periodic_id: ran.body.id, slot_at: ranSlot, outcome: 'claimed', task_id: started, created_at: ranSlot });
    assert.equal(await scheduler.tick(ranSlot + 600_000), 0);
    const ranItems = (await s.admin.call<{ items: { outcome: string; taskId: string }[] }>('GET', `${base}/${ran.body.id}/history`)).body.items;
    assert.deepEqual(ranItems.map((h) => [h.outcome, h.taskId]), [['started', started]]);
  });

  test('a slot fires as its creator: one who may no longer run tasks in the project runs nothing, and is named', async () => {
    assert.equal((await s.admin.call('POST', '/api/v1/users', { username: 'olga', password: 'olga-password-1' })).status, 201);
    assert.equal((await s.admin.call('PUT', '/api/v1/projects/ops/members/olga', { role: 'operator' })).status, 200);
    const login = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'olga', password: 'olga-password-1' });
    const olga = apiClient(s.url, login.body.token);
    // Daily at a minute no other test's slot is near.
    const created = await olga.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'olgas', templateId, cron: '51 5 * * *' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const slot = Date.parse(created.body.nextRunAt);
    assert.equal((await s.admin.call('PUT', '/api/v1/projects/ops/members/olga', { role: 'viewer' })).status, 200);
    assert.equal(await scheduler.tick(slot + 500), 0);
    const items = (await s.admin.call<{ items: { outcome: string; taskId: string | null; error: string }[] }>('GET', `${base}/${created.body.id}/history`)).body.items;
    assert.equal(items[0]!.outcome, 'failed');
    assert.match(items[0]!.error, /runs as its creator, and user olga is only a viewer of this project/);
    assert.equal(items[0]!.taskId, null, 'no task was made in her name');

    assert.equal((await s.admin.call('PUT', '/api/v1/projects/ops/members/olga', { role: 'operator' })).status, 200);
    assert.equal(await scheduler.tick(slot + 86_400_500), 1, 'once she may again, the next slot fires');
  });

  test('slots missed while down are skipped, not replayed in a burst', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'often', templateId, cron: '*/5 * * * *' });
    const next = Date.parse(created.body.nextRunAt);
    // 90 s past a slot: no slot lies within the 60 s grace, so none is due.
    const later = next + 3 * 3600_000 + 90_000;
    assert.equal(await scheduler.tick(later), 0);
    const p = await s.admin.call<{ nextRunAt: string; totalRuns: number }>('GET', `${base}/${created.body.id}`);
    assert.ok(Date.parse(p.body.nextRunAt) > later, 'the next slot is after now, not one of the missed ones');
    assert.equal(p.body.totalRuns, 0);
    const history = await s.admin.call<{ items: { outcome: string }[] }>('GET', `${base}/${created.body.id}/history`);
    assert.deepEqual(history.body.items.map((h) => h.outcome), ['missed']);
  });

  test('a slot still within the grace after a missed one fires: only the first missed slot is recorded', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'minutely', templateId, cron: '* * * * *' });
    const first = Date.parse(created.body.nextRunAt);
    // Core was down for two slots and is back 11 s after the third: that one is late, not missed.
    const back = first + 120_000 + 11_000;
    assert.equal(await scheduler.tick(back), 0, 'the first pass records the missed slot');
    const p = await s.admin.call<{ nextRunAt: string }>('GET', `${base}/${created.body.id}`);
    assert.equal(Date.parse(p.body.nextRunAt), first + 120_000, 'the schedule resumes at the slot within the grace');
    assert.equal(await scheduler.tick(back + 500), 1, 'the late slot fires');
    const history = await s.admin.call<{ items: { slotAt: string; outcome: string }[] }>('GET', `${base}/${created.body.id}/history`);
    assert.deepEqual(history.body.items.map((h) => [Date.parse(h.slotAt) - first, h.outcome]), [[120_000, 'started'], [0, 'missed']], 'the second missed slot is not recorded');
    assert.equal(Date.parse((await s.admin.call<{ nextRunAt: string }>('GET', `${base}/${created.body.id}`)).body.nextRunAt), first + 180_000);
    assert.equal((await s.admin.call('DELETE', `${base}/${created.body.id}`)).status, 204);
  });

  test('a disabled periodic task does not fire; a clocked task fires once and disables itself', async () => {
    const created = await s.admin.call<{ id: string; nextRunAt: string }>('POST', base, { name: 'off', templateId, cron: '* * * * *' });
    const off = await s.admin.call<{ enabled: boolean; nextRunAt: string | null }>('PATCH', `${base}/${created.body.id}`, { enabled: false });
    assert.equal(off.body.enabled, false);
    assert.equal(off.body.nextRunAt, null);

    const runAt = Date.now() + 2000;
    const clocked = await s.admin.call<{ id: string; kind: string }>('POST', base, { name: 'once', templateId, runAt: new Date(runAt).toISOString() });
    assert.equal(clocked.body.kind, 'clocked');
    assert.equal(await scheduler.tick(runAt + 100), 1);
    assert.equal(await scheduler.tick(runAt + 200), 0);
    const after1 = await s.admin.call<{ enabled: boolean; totalRuns: number }>('GET', `${base}/${clocked.body.id}`);
    assert.equal(after1.body.enabled, false);
    assert.equal(after1.body.totalRuns, 1);
  });
});
