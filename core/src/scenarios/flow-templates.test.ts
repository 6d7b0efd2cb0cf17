import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { installTestPlugins } from '../test-support/test-plugins.js';
import { end, flows, gateway, graph, start, task } from '../test-support/flow-helpers.js';

/** Templates: validation on save, immutable versions, export/import, plugin upgrade hints. */
describe('flow templates', () => {
  let s: TestServer;
  let f: ReturnType<typeof flows>;
  const base = '/api/v1/projects/ops/templates';
  const simple = (name: string, range = '^1.0.0') => graph(name, [start(), { ...task('a', '@test/echo', { value: 1 }), plugin: { name: '@test/echo', version: range } } as never, task('b', '@test/flaky'), end()], [['start', 'a'], ['a', 'b'], ['b', 'end']]);
  before(async () => {
    s = await startTestServer();
    await installTestPlugins(s, '1.0.0', ['@test/echo', '@test/flaky', '@test/address']);
    await s.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Ops' });
    f = flows(s.admin, 'ops');
  });
  after(async () => { await s.close(); });

  test('an invalid graph is refused with every problem, per node and rule; validate checks without saving', async () => {
    const bad = graph('bad', [start(), gateway('p', 'parallel'), task('x', '@test/echo'), task('y', '@nope/missing'), end()], [['start', 'p'], ['p', 'x'], ['p', 'y'], ['x', 'end'], ['y', 'end']]);
    const r = await s.admin.call<{ code: string; errors: { nodeId?: string; rule: string }[] }>('POST', base, { name: 'bad', graph: bad });
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'invalid_flow');
    assert.ok(r.body.errors.some((e) => e.rule === 'unknown_plugin' && e.nodeId === 'y'));
    assert.ok(r.body.errors.some((e) => e.nodeId === 'p'), 'the parallel gateway without a converge is named');
    const v = await s.admin.call<{ ok: boolean; errors: unknown[] }>('POST', `${base}/validate`, { graph: simple('ok') });
    assert.deepEqual(v.body, { ok: true, errors: [] });
    const list = await s.admin.call<{ items: unknown[] }>('GET', base);
    assert.equal(list.body.items.length, 0, 'nothing was saved');
  });

  test('an expression that is not valid JavaScript is refused at save, naming its node or flow; validate reports the same', async () => {
    const withExpressions = (cmd: string, condition: string) => graph('exprs', [
      start(), task('a', '@test/echo', { cmd }), gateway('g', 'exclusive'), task('b', '@test/echo'), task('c', '@test/echo'), gateway('j', 'converge'), end(),
    ], [['start', 'a'], ['a', 'g'], ['g', 'b', { id: 'to-b', condition: { expression: condition } }], ['g', 'c', { id: 'to-c', default: true }], ['b', 'j'], ['c', 'j'], ['j', 'end']],
    { n: { type: 'number', value: 1 } });
    type Errors = { code?: string; ok?: boolean; errors: { nodeId?: string; flowId?: string; rule: string; message: string }[] };
    const bad = withExpressions('run ${1+}', 'n ==');
    const r = await s.admin.call<Errors>('POST', base, { name: 'exprs', graph: bad });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.code, 'invalid_flow');
    const expected = [
      { nodeId: 'a', rule: 'invalid_expression', message: 'node a input cmd: ${1+} is not valid JavaScript: Unexpected end of input' },
      { flowId: 'to-b', rule: 'invalid_expression', message: 'condition of flow to-b: "n ==" is not valid JavaScript: Unexpected end of input' },
    ];
    assert.deepEqual(r.body.errors, expected);
    const v = await s.admin.call<Errors>('POST', `${base}/validate`, { graph: bad });
    assert.deepEqual(v.body, { ok: false, errors: expected });
    const good = withExpressions('run ${`${n}`.padStart(2, "0")} ${/^\\d+$/.test(String(n))}', '${n} >= 1 && n < 10');
    assert.deepEqual((await s.admin.call<Errors>('POST', `${base}/validate`, { graph: good })).body, { ok: true, errors: [] });
    const saved = await s.admin.call<{ id: string }>('POST', base, { name: 'exprs', graph: good });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
  });

  test("inputs that break the plugin's inputs schema are refused at save; inputs holding expressions wait for the run", async () => {
    type Errors = { code?: string; ok?: boolean; errors: { nodeId?: string; rule: string; message: string }[] };
    const withInputs = (inputs: Record<string, unknown>) => graph('address', [start(), task('a', '@test/address', inputs as never), end()], [['start', 'a'], ['a', 'end']],
      { port: { type: 'number', value: 8080 }, host: { type: 'string', value: 'db1' } });
    const bad = await s.admin.call<Errors>('POST', base, { name: 'address', graph: withInputs({ port: '80', prot: 1, tags: ['a', 2] }) });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.code, 'invalid_flow');
    assert.deepEqual(bad.body.errors.map((e) => [e.nodeId, e.rule, e.message]).sort(), [
      ['a', 'invalid_input', "@test/address: inputs must NOT have additional property 'prot'"],
      ['a', 'invalid_input', "@test/address: inputs must have required property 'host'"],
      ['a', 'invalid_input', '@test/address: inputs.port must be integer'],
      ['a', 'invalid_input', '@test/address: inputs.tags.1 must be string'],
    ]);
    // An input kept literal by render: false is checked as it is; a `$${` escape is checked unescaped.
    const literal = await s.admin.call<Errors>('POST', `${base}/validate`, { graph: withInputs({ host: 'db1', port: { value: '${port}', render: false } }) });
    assert.deepEqual(literal.body.errors.map((e) => e.message), ['@test/address: inputs.port must be integer']);
    const escaped = await s.admin.call<Errors>('POST', `${base}/validate`, { graph: withInputs({ host: '$${HOST}', port: 0 }) });
    assert.deepEqual(escaped.body.errors.map((e) => e.message), ['@test/address: inputs.port must be >= 1']);
    // Expressions are rendered at run time: a required input given by one is not missing, and its type is checked then.
    const task1 = await f.run(withInputs({ host: '${host}', port: '${port}', tags: ['${host}'] }));
    await f.waitState(task1, 'finished');
    assert.equal((await f.node(task1, 'a')).outputs.address, 'db1:8080');
    const wrongAtRun = await f.run(withInputs({ host: '${host}', port: '${host}' }));
    await f.waitState(wrongAtRun, 'failed');
    const failed = await f.node(wrongAtRun, 'a') as { error?: string };
    assert.match(failed.error ?? '', /inputs\.port must be integer/);
  });

  test('a graph of the wrong shape is reported as invalid, never answered with a 500', async () => {
    const subflowWith = (template: unknown) => ({ name: 'x', nodes: [{ id: 's', type: 'subflow', template, params: {} }], flows: [] });
    for (const bad of [null, { nodes: 5 }, { name: 'x', nodes: {}, flows: [] }, subflowWith({ id: { a: 1 }, version: 1 }), subflowWith({ id: ['a'], version: 1 })]) {
      const v = await s.admin.call<{ ok: boolean; errors: { rule: string }[] }>('POST', `${base}/validate`, { graph: bad });
      assert.equal(v.status, 200, `${JSON.stringify(bad)}: ${JSON.stringify(v.body)}`);
      assert.equal(v.body.ok, false);
    }
    const saved = await s.admin.call<{ code: string }>('POST', base, { name: 'odd subflow', graph: subflowWith({ id: { a: 1 }, version: 1 }) });
    assert.equal(saved.status, 422, JSON.stringify(saved.body));
    assert.equal(saved.body.code, 'invalid_flow');
  });

  test('a save whose graph has the wrong shape answers as validate does: 422 invalid_flow with invalid_shape, on create, save and import', async () => {
    const id = await f.template(simple('shaped'));
    const shapes = [{ name: 'x', nodes: 'start', flows: [] }, { ...simple('long'), name: 'x'.repeat(201) }, { ...simple('laid out'), layout: { a: { x: 'left', y: 0 } } }];
    for (const bad of shapes) {
      for (const [method, path, body] of [['POST', base, { name: 'shape', graph: bad }], ['PUT', `${base}/${id}`, { graph: bad }],
        ['POST', `${base}/import`, { format: 'opsloom.flow/v1', name: 'shape', graph: bad }]] as const) {
        const r = await s.admin.call<{ code: string; errors: { rule: string }[] }>(method, path, body);
        assert.equal(r.status, 422, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.code, 'invalid_flow');
        assert.ok(r.body.errors.some((e) => e.rule === 'invalid_shape'), JSON.stringify(r.body.errors));
      }
      const v = await s.admin.call<{ ok: boolean; errors: { rule: string }[] }>('POST', `${base}/validate`, { graph: bad });
      assert.deepEqual([v.body.ok, v.body.errors.some((e) => e.rule === 'invalid_shape')], [false, true]);
    }
    // The request itself stays 400: a graph that is not an object, or an unknown field beside it.
    const notObject = await s.admin.call<{ code: string; errors: { path: string }[] }>('PUT', `${base}/${id}`, { graph: [] });
    assert.deepEqual([notObject.status, notObject.body.code, notObject.body.errors[0]!.path], [400, 'invalid_request', 'body.graph']);
    assert.equal((await s.admin.call('PUT', `${base}/${id}`, { graph: simple('shaped'), grpah: {} })).status, 400);
    const saved = await s.admin.call<{ latestVersion: number }>('GET', `${base}/${id}`);
    assert.equal(saved.body.latestVersion, 1, 'nothing was saved');
    // Omitted variables and outputs are stored as empty, as before.
    const { variables: _v, outputs: _o, ...bare } = simple('bare');
    const made = await s.admin.call<{ id: string }>('POST', base, { name: 'bare', graph: bare });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const stored = await s.admin.call<{ graph: { variables: unknown; outputs: unknown } }>('GET', `${base}/${made.body.id}`);
    assert.deepEqual([stored.body.graph.variables, stored.body.graph.outputs], [{}, []]);
  });

  test('node ids, flow ids and variable keys longer than a task stores them are refused when the template is saved', async () => {
    const long = 'n'.repeat(65);
    const cases = [
      graph('long node id', [start(), task(long, '@test/echo'), end()], [['start', long], [long, 'end']]),
      graph('long flow id', [start(), task('a', '@test/echo'), end()], [['start', 'a', { id: 'f'.repeat(65) }], ['a', 'end']]),
      graph('long variable key', [start(), task('a', '@test/echo'), end()], [['start', 'a'], ['a', 'end']], { ['v'.repeat(129)]: { type: 'string', value: 'x' } }),
    ];
    for (const g of cases) {
      const r = await s.admin.call<{ code: string }>('POST', base, { name: g.name, graph: g });
      assert.equal(r.status, 422, `${g.name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'invalid_flow');
    }
    const sixtyFour = 'n'.repeat(64);
    await f.waitState(await f.run(graph('longest node id', [start(), task(sixtyFour, '@test/echo'), end()], [['start', sixtyFour], [sixtyFour, 'end']])), 'finished');
  });

  test('every save is a new immutable version; tasks pin the version they were created from', async () => {
    const id = await f.template(simple('versions'));
    const taskOnV1 = await f.create(id);
    const g2 = simple('versions');
    g2.nodes.find((n) => n.id === 'b')!.name = 'renamed';
    const saved = await s.admin.call<{ latestVersion: number }>('PUT', `${base}/${id}`, { graph: g2, comment: 'rename b' });
    assert.equal(saved.body.latestVersion, 2);
    const versions = await s.admin.call<{ items: { version: number; comment: string | null }[] }>('GET', `${base}/${id}/versions`);
    assert.deepEqual(versions.body.items.map((v) => v.version), [2, 1]);
    assert.equal(versions.body.items[0]!.comment, 'rename b');
    const v1 = await s.admin.call<{ graph: { nodes: { id: string; name?: string }[] } }>('GET', `${base}/${id}/versions/1`);
    assert.equal(v1.body.graph.nodes.find((n) => n.id === 'b')!.name, undefined);
    const pinned = await s.admin.call<{ templateVersion: number }>('GET', `/api/v1/projects/ops/tasks/${taskOnV1}?graph=false`);
    assert.equal(pinned.body.templateVersion, 1);
  });

  test('a save based on a version no longer the latest is refused with 409 template_changed; concurrent saves from one base: one wins', async () => {
    const id = await f.template(simple('contended'));
    type Changed = { code: string; detail: string; latestVersion: number; savedBy: string; baseVersion: number };
    const saves = await Promise.all([1, 2].map((i) => s.admin.call<{ latestVersion: number } & Changed>('PUT', `${base}/${id}`, { graph: simple('contended'), baseVersion: 1, comment: `editor ${i}` })));
    assert.deepEqual(saves.map((r) => r.status).sort(), [200, 409], JSON.stringify(saves.map((r) => r.body)));
    const lost = saves.find((r) => r.status === 409)!.body;
    assert.equal(lost.code, 'template_changed');
    assert.deepEqual([lost.baseVersion, lost.latestVersion, lost.savedBy], [1, 2, 'admin']);
    assert.match(lost.detail, /changed since version 1: version 2 was saved by admin/);
    const versions = await s.admin.call<{ items: { version: number }[] }>('GET', `${base}/${id}/versions`);
    assert.deepEqual(versions.body.items.map((v) => v.version), [2, 1], 'the refused save left no version');
    // A base the template never had is a mistake of the request, not a change by someone else.
    const ahead = await s.admin.call<{ code: string; detail: string; errors: { path: string }[] }>('PUT', `${base}/${id}`, { graph: simple('contended'), baseVersion: 9 });
    assert.equal(ahead.status, 400, JSON.stringify(ahead.body));
    assert.equal(ahead.body.detail, `body.baseVersion: template ${id} has no version 9; its latest is 2`);
    assert.deepEqual(ahead.body.errors.map((e) => e.path), ['body.baseVersion']);
    // From the latest version a save goes through; without baseVersion saves still take distinct numbers.
    assert.equal((await s.admin.call('PUT', `${base}/${id}`, { graph: simple('contended'), baseVersion: 2 })).status, 200);
    // Each answer names the version that save created, even when a later one committed before it answered.
    const blind = await Promise.all(Array.from({ length: 5 }, (_, i) => s.admin.call<{ latestVersion: number }>('PUT', `${base}/${id}`, { graph: simple('contended'), comment: `blind ${i}` })));
    assert.deepEqual(blind.map((r) => r.body.latestVersion).sort(), [4, 5, 6, 7, 8]);
    const comments = await s.admin.call<{ items: { version: number; comment: string }[] }>('GET', `${base}/${id}/versions`);
    const commentOf = new Map(comments.body.items.map((v) => [v.version, v.comment]));
    blind.forEach((r, i) => assert.equal(commentOf.get(r.body.latestVersion), `blind ${i}`));
  });

  test('a subflow node may pass only the shown variables of its template and map only its outputs', async () => {
    const child = await f.template(graph('child', [start(), task('a', '@test/echo', { value: '${size}' }, { outputs: { value: 'echoed' } }), end()], [['start', 'a'], ['a', 'end']],
      { size: { type: 'number', show: true }, hidden: { type: 'string', value: 'x' }, echoed: { type: 'number' } }, ['echoed']));
    const parent = (params: Record<string, unknown>, outputs: Record<string, string>) => graph('parent', [
      start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params, outputs } as never, end(),
    ], [['start', 'sub'], ['sub', 'end']], { got: { type: 'number' } });
    const bad = await s.admin.call<{ errors: { nodeId?: string; rule: string; message: string }[] }>('POST', base, { name: 'parent', graph: parent({ size: 1, hidden: 'y', sise: 2 }, { echoed: 'got', echo: 'got' }) });
    assert.equal(bad.status, 422);
    const rules = bad.body.errors.filter((e) => e.nodeId === 'sub').map((e) => `${e.rule}: ${e.message}`).sort();
    assert.equal(rules.length, 3, JSON.stringify(bad.body.errors));
    assert.match(rules[0]!, /^unknown_subflow_output: .*echo\b/);
    assert.match(rules[1]!, /^unknown_subflow_param: .*hidden/);
    assert.match(rules[2]!, /^unknown_subflow_param: .*sise/);
    assert.equal((await s.admin.call('POST', base, { name: 'parent', graph: parent({ size: 1 }, { echoed: 'got', _result: 'got' }) })).status, 201);
  });

  test('deleting a template that periodic tasks run or other templates call as a subflow is refused with who uses it, unless forced; tasks keep their snapshot', async () => {
    const child = await f.template(graph('shared child', [start(), task('a', '@test/echo', { value: 1 }), end()], [['start', 'a'], ['a', 'end']]));
    const parent = await f.template(graph('caller', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} } as never, end()], [['start', 'sub'], ['sub', 'end']]));
    const periodic = await s.admin.call<{ id: string }>('POST', '/api/v1/projects/ops/periodic-tasks', { name: 'nightly child', templateId: child, cron: '0 3 * * *', enabled: false });
    assert.equal(periodic.status, 201, JSON.stringify(periodic.body));
    const taskBefore = await f.create(child);
    type InUse = { code: string; detail: string; periodicTasks: { id: string; name: string }[]; parentTemplates: { id: string; name: string }[] };
    const refused = await s.admin.call<InUse>('DELETE', `${base}/${child}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'template_in_use');
    assert.deepEqual(refused.body.periodicTasks, [{ id: periodic.body.id, name: 'nightly child' }]);
    assert.deepEqual(refused.body.parentTemplates, [{ id: parent, name: 'caller' }]);
    assert.match(refused.body.detail, /force=true/);
    assert.equal((await s.admin.call('GET', `${base}/${child}`)).status, 200, 'still there');
    // A template nothing uses is deleted as before; a forced delete goes through.
    assert.equal((await s.admin.call('DELETE', `${base}/${parent}`)).status, 204);
    assert.equal((await s.admin.call<InUse>('DELETE', `${base}/${child}`)).body.parentTemplates.length, 0, 'a deleted parent no longer counts');
    assert.equal((await s.admin.call('DELETE', `${base}/${child}?force=true`)).status, 204);
    assert.equal((await s.admin.call('GET', `${base}/${child}`)).status, 404);
    await f.taskOp(taskBefore, 'start');
    assert.ok(await f.waitState(taskBefore, 'finished'), 'a task made before runs from its snapshot');
  });

  test('search matches _ and % in names literally', async () => {
    await f.template(simple('deploy_web'));
    await f.template(simple('deployXweb'));
    await f.template(simple('100% done'));
    const found = async (q: string) => (await s.admin.call<{ items: { name: string }[] }>('GET', `${base}?search=${encodeURIComponent(q)}`)).body.items.map((t) => t.name);
    assert.deepEqual(await found('deploy_web'), ['deploy_web']);
    assert.deepEqual(await found('0% d'), ['100% done']);
  });

  test('export and import round-trip; a foreign format is refused', async () => {
    const id = await f.template(simple('exported'));
    const doc = await s.admin.call<{ format: string; graph: unknown }>('GET', `${base}/${id}/export`);
    assert.equal(doc.body.format, 'opsloom.flow/v1');
    const imported = await s.admin.call<{ id: string; name: string }>('POST', `${base}/import`, { ...doc.body, rename: 'imported copy' });
    assert.equal(imported.status, 201);
    assert.equal(imported.body.name, 'imported copy');
    const again = await s.admin.call<{ graph: unknown }>('GET', `${base}/${imported.body.id}`);
    assert.deepEqual((again.body.graph as { nodes: unknown[] }).nodes, (doc.body.graph as { nodes: unknown[] }).nodes);
    assert.equal((await s.admin.call('POST', `${base}/import`, { ...doc.body, format: 'bk-sops' })).status, 400);
    const huge = await s.admin.call<{ detail: string }>('POST', `${base}/import`, { ...doc.body, format: 'x'.repeat(100_000) });
    assert.equal(huge.status, 400);
    assert.ok(huge.body.detail.length < 1000, 'the refusal does not echo an unbounded value');
  });

  test('a hostile import nested deeper than any flow needs is refused with 400, and nothing is saved', async () => {
    const doc = JSON.stringify({ format: 'opsloom.flow/v1', name: 'deep', graph: graph('deep', [start(), task('a', '@test/echo', { value: 'DEEP' }), end()], [['start', 'a'], ['a', 'end']]) });
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await fetch(`${s.url}${base}/import`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: doc.replace('"DEEP"', deep) });
    const problem = await res.json() as { code: string; detail: string };
    assert.equal(res.status, 400, JSON.stringify(problem));
    assert.match(problem.detail, /nested/);
    const list = await s.admin.call<{ items: { name: string }[] }>('GET', base);
    assert.ok(!list.body.items.some((t) => t.name === 'deep'), 'nothing was saved');
  });

  test('a newer online plugin version is shown per node and upgraded node by node into a new version', async () => {
    const id = await f.template(simple('upgradable'));
    let t = await s.admin.call<{ upgrades: { nodeId: string; latest: string; resolved: string }[] }>('GET', `${base}/${id}`);
    assert.deepEqual(t.body.upgrades, []);
    await installTestPlugins(s, '2.0.0', ['@test/echo', '@test/flaky']);
    t = await s.admin.call('GET', `${base}/${id}`);
    assert.deepEqual(t.body.upgrades.map((u) => [u.nodeId, u.resolved, u.latest]).sort(), [['a', '1.0.0', '2.0.0'], ['b', '1.0.0', '2.0.0']]);
    const up = await s.admin.call<{ latestVersion: number }>('POST', `${base}/${id}/upgrade`, { nodes: ['a'] });
    assert.equal(up.status, 200);
    assert.equal(up.body.latestVersion, 2);
    const after2 = await s.admin.call<{ graph: { nodes: { id: string; plugin?: { version: string } }[] }; upgrades: { nodeId: string }[] }>('GET', `${base}/${id}`);
    assert.equal(after2.body.graph.nodes.find((n) => n.id === 'a')!.plugin!.version, '2.0.0');
    assert.deepEqual(after2.body.upgrades.map((u) => u.nodeId), ['b'], 'the other node keeps its version until chosen');
    const refused = await s.admin.call<{ detail: string }>('POST', `${base}/${id}/upgrade`, { nodes: ['a', 'zz', 'start'] });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.detail, 'body.nodes: zz is not a node of version 2; start is not a task node: only task nodes run plugins; a has no newer online plugin version');
    const runId = await f.create(id);
    await f.taskOp(runId, 'start');
    await f.waitState(runId, 'finished');
  });

  test('upgrading many nodes at once saves a version whose comment fits its column', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `deploy_step_${String(i).padStart(2, '0')}_on_every_web_server`);
    const g = graph('many upgrades', [start(), ...ids.map((id) => task(id, '@test/echo')), end()], [['start', ids[0]!], ...ids.slice(1).map((id, i): [string, string] => [ids[i]!, id]), [ids.at(-1)!, 'end']]);
    const id = await f.template(g);
    await installTestPlugins(s, '3.0.0', ['@test/echo']);
    const up = await s.admin.call('POST', `${base}/${id}/upgrade`, { nodes: ids });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const versions = await s.admin.call<{ items: { version: number; comment: string }[] }>('GET', `${base}/${id}/versions`);
    const comment = versions.body.items[0]!.comment;
    assert.ok(comment.length <= 500, `a comment of ${comment.length} characters`);
    assert.match(comment, /^upgraded 20 nodes/);
  });
});
