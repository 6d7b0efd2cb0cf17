/**
 * End to end, in Debian's Chromium against a real core with real sandboxed test plugins: the task
 * monitor's node and task operations are offered exactly when the server takes them, and act on
 * the node shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowNode } from '@opsloom/core/model';
import { end, gateway, graph, start, task } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';
import { signIn } from './session.js';

const ui = usePortal({ testPlugins: true });

const bar = () => ui.page.locator('ol-task-monitor .bar');
const detail = () => ui.page.locator('ol-node-detail');
const nodeOp = (label: string | RegExp) => detail().locator('.op', { has: ui.page.locator('button', { hasText: label }) });
const open = async (taskId: string, nodeId: string) => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${taskId}`);
  await ui.page.locator(`ol-flow-canvas .node[data-id=${nodeId}]`).click();
  await detail().locator('h3', { hasText: 'Inputs' }).waitFor();
};

test('a retry form opened on one node does not stay open for the next node selected', async () => {
  const id = await ui.ops.run(graph('Two disks', [start(), gateway('fork', 'parallel'),
    task('disk_a', '@test/flaky', { fail: 'disk a full' }), task('disk_b', '@test/flaky', { fail: 'disk b full' }), gateway('join', 'converge'), end()],
  [['start', 'fork'], ['fork', 'disk_a'], ['fork', 'disk_b'], ['disk_a', 'join'], ['disk_b', 'join'], ['join', 'end']]));
  await ui.ops.waitFor(id, (t) => t.nodes.disk_a?.state === 'failed' && t.nodes.disk_b?.state === 'failed', 'both disks failed');
  await open(id, 'disk_a');
  await detail().locator('button', { hasText: /^Retry$/ }).click();
  await detail().locator('#retry-inputs').fill('{"fail": ""}');
  await ui.page.locator('ol-flow-canvas .node[data-id=disk_b]').click();
  await detail().locator('h2', { hasText: 'disk_b' }).waitFor();
  await detail().locator('.notice.error', { hasText: 'disk b full' }).waitFor();
  assert.equal(await detail().locator('#retry-inputs').count(), 0, "disk_a's retry form is not offered for disk_b");
});

test('retries a failed exclusive gateway from its node', async () => {
  const id = await ui.ops.run(graph('Pick an environment', [start(), gateway('env', 'exclusive'), task('prod', '@test/echo'), task('test', '@test/echo'), gateway('join', 'converge'), end()],
    [['start', 'env'], ['env', 'prod', { condition: { expression: "${target} == 'prod'" } }], ['env', 'test', { condition: { expression: "${target} == 'test'" } }],
      ['prod', 'join'], ['test', 'join'], ['join', 'end']],
    { target: { type: 'string', value: 'staging' } }));
  await ui.ops.waitNode(id, 'env', 'failed');
  await open(id, 'env');
  const retry = nodeOp(/^Retry$/);
  assert.equal(await retry.locator('button').isEnabled(), true);
  await retry.locator('button').click();
  await ui.ops.waitFor(id, (t) => t.nodes.env?.retries === 1 && t.nodes.env.state === 'failed', 'the gateway retried (and failed again on the same variables)', 10_000);
  assert.equal(await detail().locator('[role=alert]', { hasText: 'retry failed' }).count(), 0, 'the server took the retry');
});

test('removes a breakpoint from a node held at it, and the task runs on', async () => {
  const tpl = await ui.ops.template(graph('Careful change', [start(), task('change', '@test/echo', { value: 1 }), end()], [['start', 'change'], ['change', 'end']]));
  const id = await ui.ops.create(tpl);
  const set = await ui.ops.op(id, 'change', 'breakpoint', { enabled: true });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal((await ui.ops.taskOp(id, 'start')).status, 200);
  await ui.ops.waitNode(id, 'change', 'suspended');
  await open(id, 'change');
  const remove = nodeOp('Remove breakpoint');
  await remove.locator('button:enabled').waitFor();
  await remove.locator('button').click();
  await bar().locator('.badge', { hasText: 'finished' }).waitFor({ timeout: 20_000 });
  assert.equal((await ui.ops.get(id)).nodes.change?.state, 'finished');
});

test('pauses and resumes a running subflow from its node; breakpoints are not offered on it', async () => {
  const child = await ui.ops.template(graph('Drain the node', [start(), task('drain', '@test/waiter'), end()], [['start', 'drain'], ['drain', 'end']]));
  const sub: FlowNode = { id: 'drain_sub', type: 'subflow', template: { id: child, version: 1 }, params: {} };
  const parent = await ui.ops.template(graph('Rolling restart', [start(), sub, end()], [['start', 'drain_sub'], ['drain_sub', 'end']]));
  const id = await ui.ops.create(parent);
  await open(id, 'drain_sub');
  const breakpoint = nodeOp('Breakpoint');
  assert.equal(await breakpoint.locator('button').isDisabled(), true);
  assert.match((await breakpoint.locator('.reason').textContent()) ?? '', /pause the subflow/);
  await bar().locator('button', { hasText: 'Start' }).click();
  const running = await ui.ops.waitFor(id, (t) => t.nodes.drain_sub?.state === 'waiting' && Boolean(t.nodes.drain_sub.childTaskId), 'the subflow waiting on its task');
  const childTask = running.nodes.drain_sub!.childTaskId!;
  await ui.ops.waitNode(childTask, 'drain', 'waiting');
  const pause = nodeOp('Pause subflow');
  await pause.locator('button:enabled').waitFor();
  assert.equal(await nodeOp('Resume subflow').locator('button').isDisabled(), true);
  await pause.locator('button').click();
  await ui.ops.waitState(childTask, 'paused');
  const resume = nodeOp('Resume subflow');
  await resume.locator('button:enabled').waitFor();
  assert.equal(await pause.locator('button').isDisabled(), true);
  await resume.locator('button').click();
  await ui.ops.waitState(childTask, 'running');
  await pause.locator('button:enabled').waitFor();
  assert.equal(await detail().locator('[role=alert]').count(), 0);
});

test('pauses a failed task, as the server allows', async () => {
  const id = await ui.ops.run(graph('Broken deploy', [start(), task('deploy', '@test/flaky', { fail: 'no artifact' }), end()], [['start', 'deploy'], ['deploy', 'end']]));
  await ui.ops.waitState(id, 'failed');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await bar().locator('.badge', { hasText: 'failed' }).waitFor();
  await bar().locator('button:enabled', { hasText: 'Pause' }).click();
  await bar().locator('.badge', { hasText: 'paused' }).waitFor();
  assert.equal((await ui.ops.get(id)).state, 'paused');
});

test('a retry starts from the inputs in effect (defined, or as an earlier retry set them) and sends only those changed', async () => {
  const id = await ui.ops.run(graph('Clean temp', [start(), task('clean', '@test/flaky', { fail: '${reason}', path: '/tmp/${dir}' }), end()],
    [['start', 'clean'], ['clean', 'end']], { reason: { type: 'string', value: 'disk full' }, dir: { type: 'string', value: 'cache' } }));
  await ui.ops.waitNode(id, 'clean', 'failed');
  await open(id, 'clean');
  const retry = async (shown: Record<string, unknown>, inputs?: string) => {
    await nodeOp(/^Retry$/).locator('button:enabled').click();
    const form = detail().locator('#retry-inputs');
    assert.deepEqual(JSON.parse(await form.inputValue()), shown, 'the inputs unrendered');
    if (inputs) await form.fill(inputs);
    const [sent] = await Promise.all([ui.page.waitForRequest((r) => r.url().endsWith('/nodes/clean/retry')), detail().locator('form button[type=submit]').click()]);
    return sent.postDataJSON() as unknown;
  };
  const failedAgain = (retries: number) => ui.ops.waitFor(id, (t) => t.nodes.clean?.retries === retries && t.nodes.clean.state === 'failed', `retry ${retries} failed`);
  const defined = { fail: '${reason}', path: '/tmp/${dir}' };
  assert.deepEqual(await retry(defined), {}, 'left as is: a retry without new inputs');
  await failedAgain(1);
  assert.deepEqual(await retry(defined, '{ "fail": "${reason}", "path": "/var/${dir}" }'), { inputs: { path: '/var/${dir}' } });
  await failedAgain(2);
  // The new path stays in effect on core: the next retry starts from it, not from the definition.
  assert.deepEqual(await retry({ fail: '${reason}', path: '/var/${dir}' }, '{ "fail": "", "path": "/var/${dir}" }'), { inputs: { fail: '' } });
  await ui.ops.waitNode(id, 'clean', 'finished');
  const node = await ui.ops.node(id, 'clean');
  assert.deepEqual(node.inputs, { fail: '', path: '/var/cache' }, 'the input left alone was rendered from its expression again');
});

test('going straight from one task to another leaves the node chosen and the message of the first behind', async () => {
  const flow = graph('Deploy web', [start(), task('deploy', '@test/waiter'), end()], [['start', 'deploy'], ['deploy', 'end']]);
  const first = await ui.ops.run(flow);
  const second = await ui.ops.run(flow);
  await ui.ops.waitNode(first, 'deploy', 'waiting');
  await open(first, 'deploy');
  // A refused operation leaves its message on the first task: here the connection drops.
  await ui.page.route(`**/tasks/${first}/pause`, (route) => route.abort('connectionreset'));
  try {
    await bar().locator('button:enabled', { hasText: 'Pause' }).click();
    await bar().locator('[role=alert]', { hasText: 'pause failed' }).waitFor();
  } finally {
    await ui.page.unroute(`**/tasks/${first}/pause`);
  }
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${second}`);
  await ui.page.locator('ol-task-monitor aside .hint', { hasText: 'Click a node' }).waitFor();
  assert.equal(await detail().count(), 0, 'no node of the second task is shown as chosen');
  assert.equal(await bar().locator('[role=alert]').count(), 0, "the first task's message is gone");
  assert.equal(await ui.page.locator('ol-flow-canvas .node--selected').count(), 0);
  for (const id of [first, second]) assert.equal((await ui.ops.taskOp(id, 'revoke')).status, 200);
});

test("with no node chosen, the monitor shows the task's results and variables as they are now, a password masked", async () => {
  const id = await ui.ops.run(graph('Release notes', [start(), task('count', '@test/echo', { value: '${hosts.length}' }, { outputs: { value: 'host_count' } }), end()],
    [['start', 'count'], ['count', 'end']],
    { hosts: { type: 'json', value: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] }, token: { type: 'password', value: 'tok-123456' }, host_count: { type: 'number' } }, ['host_count']));
  await ui.ops.waitState(id, 'finished');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  const vars = ui.page.locator('ol-task-variables');
  await vars.locator('h2', { hasText: 'Results' }).waitFor();
  const result = vars.locator('table').first().locator('tr[data-key=host_count] pre');
  assert.equal(await result.textContent(), '3', 'the result a node mapped into the task');
  assert.equal(await vars.locator('table').last().locator('tr[data-key=token] pre').textContent(), '******');
  assert.equal(await vars.getByText('tok-123456').count(), 0);
});

test('an operator retries a failed node as it is, with no inputs form (new inputs need a developer)', async () => {
  await ui.core.admin.call('POST', '/api/v1/users', { username: 'oper1', password: 'oper1-password' });
  await ui.core.admin.call('PUT', '/api/v1/projects/ops/members/oper1', { role: 'operator' });
  const id = await ui.ops.run(graph('Operator retry', [start(), task('a', '@test/flaky', { fail: 'still broken' }), end()], [['start', 'a'], ['a', 'end']]));
  await ui.ops.waitNode(id, 'a', 'failed');
  const page = await ui.browser.newPage({ viewport: { width: 1366, height: 860 } });
  try {
    page.setDefaultTimeout(10_000);
    await signIn(page, ui.front.url, 'oper1', 'oper1-password');
    await page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
    await page.locator('ol-flow-canvas .node[data-id=a]').click();
    const node = page.locator('ol-node-detail');
    await node.locator('button', { hasText: /^Retry$/ }).click();
    await ui.ops.waitFor(id, (t) => t.nodes.a!.retries === 1 && t.nodes.a!.state === 'failed', 'the retry ran and failed again');
    assert.equal(await node.locator('#retry-inputs').count(), 0, 'no inputs form for an operator');
  } finally {
    await page.close();
  }
});
