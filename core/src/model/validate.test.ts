import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph, GraphRule } from './index.js';
import { analyzeGraph, InvalidGraphError, matchConverges, validateGraph } from './index.js';
import { build } from './test-graphs.js';

const VALID: Record<string, FlowGraph> = {
  'sequence': build(['start>a>b>end']),
  'parallel': build(['start>par>a>conv>end', 'par>b>conv']),
  'parallel with an empty branch': build(['start>par>a>conv>end', 'par>conv']),
  'single-branch parallel': build(['start>par>a>conv>end']),
  'nested parallel in parallel': build([
    'start>par1>par2>a>conv2>conv1>end', 'par2>b>conv2', 'par1>c>conv1',
  ]),
  'parallel inside each branch of a parallel': build([
    'start>par1>par2>a>conv2>conv1>end', 'par2>b>conv2', 'par1>par3>c>conv3>conv1', 'par3>d>conv3',
  ]),
  'exclusive inside parallel': build([
    'start>par>ex>a>convx>convp>end', 'ex>b>convx', 'par>c>convp',
  ]),
  'exclusive inside parallel sharing the parallel converge': build([
    'start>par>ex>a>conv>end', 'ex>b>conv', 'par>c>conv',
  ]),
  'exclusive branches reaching the parallel converge through converges of their own': build([
    'start>par>ex>a>convA>conv>end', 'ex>b>convB>conv', 'par>c>conv',
  ]),
  'conditional-parallel with default': build([
    'start>cpar>a>conv>end ?x > 1', 'cpar>b>conv ?x > 2', 'cpar>c>conv default',
  ], { variables: { x: { type: 'number', value: 3 } } }),
  'shared converge for nested exclusive gateways': build([
    'start>ex1>ex2>a>conv>end', 'ex2>b>conv', 'ex1>c>conv',
  ]),
  'exclusive branches to end events': build(['start>ex>a>end1 ?true', 'ex>b>end2 default']),
  'exclusive with one branch converging and one ending': build(['start>ex>a>conv>c>end1', 'ex>b>conv', 'ex>d>end2']),
  'parallel inside an exclusive branch': build([
    'start>ex>par>a>convp>convx>end', 'par>b>convp', 'ex>c>convx',
  ]),
  'sequential parallel blocks': build(['start>par1>a>conv1>par2>c>conv2>end', 'par1>b>conv1', 'par2>d>conv2']),
  'two exclusive gateways sharing their parallel converge': build([
    'start>par>ex1>a>conv>end', 'ex1>b>conv', 'par>ex2>c>conv', 'ex2>d>conv',
  ]),
  'exclusive branches gathered by two converges in turn': build(['start>ex>a>conv1>conv3>end', 'ex>b>conv1', 'ex>c>conv2>conv3']),
  'conditional-parallel inside exclusive inside parallel': build([
    'start>par>ex>cpar>a>convc>convx>convp>end', 'cpar>b>convc', 'ex>c>convx', 'par>d>convp',
  ]),
  'loop with a backward edge': build(['start>a>b>ex>a ?retry', 'ex>end default'], {
    variables: { retry: { type: 'boolean', value: false } },
  }),
  'loop around a whole parallel block': build([
    'start>a>par>b>conv>ex>end default', 'par>c>conv', 'ex>a ?again',
  ], { variables: { again: { type: 'boolean', value: false } } }),
  'loop inside a parallel branch': build([
    'start>par>a>ex>conv>end ?done', 'ex>a default', 'par>b>conv',
  ], { variables: { done: { type: 'boolean', value: true } } }),
  'loop back to a converge used as loop head': build(['start>conv>a>ex>end default', 'ex>conv ?again'], {
    variables: { again: { type: 'boolean', value: false } },
  }),
  'flow order does not change loop detection': build(['ex>a ?again', 'start>a>b>ex', 'ex>end default'], {
    variables: { again: { type: 'boolean', value: false } },
  }),
};

for (const [name, graph] of Object.entries(VALID)) {
  test(`valid: ${name}`, () => {
    const result = validateGraph(graph);
    assert.deepEqual(result.errors, []);
    assert.equal(result.ok, true);
  });
}

interface InvalidCase {
  graph: unknown;
  rule: GraphRule;
  nodeId?: string;
  flowId?: string;
  opts?: Parameters<typeof validateGraph>[1];
}

const INVALID: Record<string, InvalidCase> = {
  'crossing branches between two parallel blocks': {
    graph: build([
      'start>par0>par1>a>conv1>conv0>end', 'par1>b>conv2',
      'par0>par2>c>conv2>conv0', 'par2>d>conv1',
    ]),
    rule: 'branches_cross', nodeId: 'conv1',
  },
  'a branch leaving its block for the end': {
    graph: build(['start>par>a>conv>end', 'par>b>conv', 'par>c>end2']),
    rule: 'branch_leaves_block', nodeId: 'par', flowId: 'c-end2',
  },
  'an exclusive branch ending inside a parallel block': {
    graph: build(['start>par>ex>a>conv>end', 'ex>b>end2', 'par>c>conv']),
    rule: 'branch_leaves_block', nodeId: 'par', flowId: 'b-end2',
  },
  'parallel with two converges': {
    graph: build(['start>par>a>conv1>conv2>end', 'par>b>conv1', 'par>c>conv2']),
    rule: 'parallel_multiple_converges', nodeId: 'par',
  },
  'converge gathering two parallels': {
    graph: build(['start>par1>par2>a>conv>end', 'par2>b>conv', 'par1>c>conv']),
    rule: 'converge_shared_by_parallels', nodeId: 'conv',
  },
  'an exclusive branch entering a parallel converge from outside': {
    graph: build(['start>ex>par>a>conv>end', 'par>b>conv', 'ex>c>conv']),
    rule: 'converge_outside_block', nodeId: 'conv',
  },
  'parallel without converge': {
    graph: build(['start>par>a>end1', 'par>b>end2']),
    rule: 'branch_leaves_block', nodeId: 'par',
  },
  'exclusive branches merging at a task': {
    graph: build(['start>ex>a>m>end', 'ex>b>m']),
    rule: 'merge_outside_converge', nodeId: 'm',
  },
  'a loop leaving its parallel branch': {
    graph: build(['start>a>par>b>ex>conv>end ?done', 'ex>a default', 'par>c>conv'], {
      variables: { done: { type: 'boolean', value: true } },
    }),
    rule: 'loop_leaves_block', nodeId: 'ex', flowId: 'ex-a',
  },
  'a loop back into a parallel converge': {
    graph: build(['start>par>a>conv>ex>end default', 'par>b>conv', 'ex>conv ?true']),
    rule: 'loop_into_parallel_converge', nodeId: 'ex',
  },
  'task with two outgoing flows': {
    graph: build(['start>a>b>end', 'a>c>end']),
    rule: 'degree', nodeId: 'a',
  },
  'start with an incoming flow': {
    graph: build(['start>a>ex>end default', 'ex>start ?true']),
    rule: 'degree', nodeId: 'start',
  },
  'end with an outgoing flow': {
    graph: build(['start>a>end>b']),
    rule: 'degree', nodeId: 'end',
  },
  'converge with two outgoing flows': {
    graph: build(['start>ex>a>conv>end', 'ex>b>conv', 'conv>c>end']),
    rule: 'degree', nodeId: 'conv',
  },
  'isolated node': {
    graph: build(['start>a>end'], { nodes: { lonely: {} } }),
    rule: 'isolated_node', nodeId: 'lonely',
  },
  'unreachable node': {
    graph: build(['start>a>end', 'b>c>end']),
    rule: 'unreachable_node', nodeId: 'b',
  },
  'a node that can never reach an end': {
    graph: build(['start>ex>a>b>ex2>a ?true', 'ex2>b2>a', 'ex>end default']),
    rule: 'no_path_to_end', nodeId: 'a',
  },
  'two starts': {
    graph: build(['start>a>end', 'start2>b>end']),
    rule: 'start_count', nodeId: 'start2',
  },
  'no end': {
    graph: { name: 'x', nodes: [{ id: 'start', type: 'start' }], flows: [], variables: {}, outputs: [] },
    rule: 'end_missing',
  },
  'dangling flow': {
    graph: { ...build(['start>a>end']), flows: [...build(['start>a>end']).flows, { id: 'f9', source: 'a', target: 'ghost' }] },
    rule: 'dangling_flow', flowId: 'f9',
  },
  'duplicate node id': {
    graph: { ...build(['start>a>end']), nodes: [...build(['start>a>end']).nodes, { id: 'a', type: 'end' }] },
    rule: 'duplicate_id', nodeId: 'a',
  },
  'unknown node type': {
    graph: { name: 'x', nodes: [{ id: 'start', type: 'begin' }], flows: [], variables: {}, outputs: [] },
    rule: 'unknown_node_type', nodeId: 'start',
  },
  'not an object': { graph: 'nodes', rule: 'invalid_shape' },
  'nodes not an array': { graph: { name: 'x', nodes: 'start', flows: [] }, rule: 'invalid_shape' },
  'a name longer than 200 characters': { graph: { ...build(['start>a>end']), name: 'x'.repeat(201) }, rule: 'invalid_shape' },
  'a layout entry without numbers': { graph: { ...build(['start>a>end']), layout: { a: { x: '1', y: 2 } } }, rule: 'invalid_shape', nodeId: 'a' },
  'missing condition on an exclusive flow': {
    graph: (() => {
      const g = build(['start>ex>a>conv>end', 'ex>b>conv']);
      delete g.flows.find((f) => f.id === 'ex-b')!.condition;
      return g;
    })(),
    rule: 'missing_condition', flowId: 'ex-b',
  },
  'two default flows': {
    graph: build(['start>ex>a>conv>end default', 'ex>b>conv default']),
    rule: 'multiple_defaults', nodeId: 'ex',
  },
  'condition on a plain flow': {
    graph: build(['start>a>end ?x']),
    rule: 'invalid_condition', flowId: 'a-end',
  },
  'unknown plugin': {
    graph: build(['start>a>end']),
    opts: { resolvePlugin: (name) => name !== 'demo' },
    rule: 'unknown_plugin', nodeId: 'a',
  },
  'unknown variable in an input': {
    graph: build(['start>a>end'], { nodes: { a: { inputs: { cmd: 'echo ${greeting} ${_system.task_id} ${_env_REGION}' } } as never } }),
    rule: 'unknown_variable', nodeId: 'a',
  },
  'unknown variable in a nested input': {
    graph: build(['start>a>end'], { nodes: { a: { inputs: { target: { hosts: ['${web}', 'db'] } } } as never } }),
    rule: 'unknown_variable', nodeId: 'a',
  },
  'unknown variable in a condition': {
    graph: build(['start>ex>a>end ?${count} > 3', 'ex>b>end2 default']),
    rule: 'unknown_variable', flowId: 'ex-a',
  },
  'unknown project constant in an input': {
    graph: build(['start>a>end'], { nodes: { a: { inputs: { cmd: 'psql -h ${_env_DB_HOST}' } } as never } }),
    opts: { knownConstants: ['REGION'] },
    rule: 'unknown_constant', nodeId: 'a',
  },
  'unknown project constant in a condition': {
    graph: build(['start>ex>a>end ?_env_STAGE == "prod"', 'ex>b>end2 default']),
    opts: { knownConstants: [] },
    rule: 'unknown_constant', flowId: 'ex-a',
  },
  'unterminated expression': {
    graph: build(['start>a>end'], { nodes: { a: { inputs: { cmd: 'echo ${x' } } as never } }),
    rule: 'invalid_expression', nodeId: 'a',
  },
  'variables referring to each other in a circle': {
    graph: build(['start>a>end'], { variables: { x: { type: 'string', value: '${y}' }, y: { type: 'string', value: 'a${x}' } } }),
    rule: 'variable_cycle',
  },
  'node id longer than a task can store': {
    graph: build([`start>${'n'.repeat(65)}>end`]),
    rule: 'invalid_shape', nodeId: 'n'.repeat(65),
  },
  'flow id longer than a task can store': {
    graph: (() => {
      const g = build(['start>a>end']);
      g.flows[0]!.id = 'f'.repeat(65);
      return g;
    })(),
    rule: 'invalid_shape', flowId: 'f'.repeat(65),
  },
  'variable key longer than a task can store': {
    graph: build(['start>a>end'], { variables: { ['v'.repeat(129)]: { type: 'string', value: 'x' } } }),
    rule: 'invalid_variable_key',
  },
  'reserved variable key': {
    graph: build(['start>a>end'], { variables: { _system: { type: 'json' } } }),
    rule: 'reserved_variable_key',
  },
  'variable named __proto__': {
    graph: build(['start>a>end'], { variables: JSON.parse('{"__proto__": {"type": "json", "value": {"polluted": true}}}') as never }),
    rule: 'invalid_variable_key',
  },
  'output mapped to __proto__': {
    graph: build(['start>a>end'], { nodes: { a: { outputs: JSON.parse('{"value": "__proto__"}') } as never } }),
    rule: 'invalid_variable_key', nodeId: 'a',
  },
  'flow output that is no variable': {
    graph: { ...build(['start>a>end']), outputs: ['nope'] },
    rule: 'unknown_output_variable',
  },
  'bad error policy': {
    graph: build(['start>a>end'], { nodes: { a: { onError: { retry: { times: 0, intervalMs: 10 } } } } }),
    rule: 'invalid_error_policy', nodeId: 'a',
  },
  'timeout longer than a deadline can be stored': {
    graph: build(['start>a>end'], { nodes: { a: { onError: { timeout: { seconds: 1e308, action: 'fail' } } } } }),
    rule: 'invalid_error_policy', nodeId: 'a',
  },
  'timeout over 366 days': {
    graph: build(['start>a>end'], { nodes: { a: { onError: { timeout: { seconds: 31_622_401, action: 'fail' } } } } }),
    rule: 'invalid_error_policy', nodeId: 'a',
  },
  'task without plugin': {
    graph: build(['start>a>end'], { nodes: { a: { plugin: undefined } as never } }),
    rule: 'invalid_node', nodeId: 'a',
  },
  'self loop': {
    graph: build(['start>ex>end default', 'ex>ex ?true']),
    rule: 'self_loop', flowId: 'ex-ex',
  },
};

for (const [name, c] of Object.entries(INVALID)) {
  test(`invalid: ${name}`, () => {
    const result = validateGraph(c.graph, c.opts);
    assert.equal(result.ok, false);
    const hit = result.errors.find((e) => e.rule === c.rule &&
      (c.nodeId === undefined || e.nodeId === c.nodeId) && (c.flowId === undefined || e.flowId === c.flowId));
    assert.ok(hit, `expected ${c.rule} at ${c.nodeId ?? ''} ${c.flowId ?? ''}, got ${JSON.stringify(result.errors, null, 1)}`);
    assert.ok(hit.message.length > 10);
  });
}

test('known variables, node outputs and built-ins are accepted in expressions', () => {
  const graph = build(['start>a>b>ex>end ?${ok} && region != "cn"', 'ex>end2 default'], {
    nodes: {
      a: { inputs: { cmd: 'echo ${_system.task_id} ${_env_REGION} ${hosts.map(h => h.ip).join(",")}' }, outputs: { _result: 'ok', _loop: 'runs', stdout: 'out' } } as never,
      b: { inputs: { text: '${out} ${runs} $${literal} ${`${region}-x`}', script: { value: 'echo ${HOME}', render: false } } } as never,
    },
    variables: { hosts: { type: 'hosts', value: [] } },
  });
  const result = validateGraph(graph, { knownVariables: ['region'] });
  assert.deepEqual(result.errors, []);
});

test('a timeout of up to 366 days is accepted', () => {
  const graph = build(['start>a>end'], { nodes: { a: { onError: { timeout: { seconds: 31_622_400, action: 'fail-and-skip' } } } } });
  assert.deepEqual(validateGraph(graph, {}).errors, []);
});

test('_result and _loop read bare are refused: they are node outputs, read once mapped into a variable', () => {
  const graph = build(['start>a>ex>end ?_result', 'ex>end2 default'], { nodes: { a: { inputs: { n: '${_loop + 1}' } } as never } });
  const errors = validateGraph(graph, {}).errors;
  assert.deepEqual(errors.map((e) => [e.rule, e.nodeId ?? e.flowId]), [['unknown_variable', 'a'], ['unknown_variable', 'ex-end']]);
  assert.match(errors[0]!.message, /uses _loop, which is a node output, not a variable: map it into one in the node's outputs/);
});

test('project constants: with knownConstants each _env_ name must be one of them, named in the message', () => {
  const graph = build(['start>a>end'], {
    nodes: { a: { inputs: { cmd: 'psql -h ${_env_DB_HOST} -p ${_env_DB}', script: { value: '${_env_IGNORED}', render: false } } } as never },
    variables: { dsn: { type: 'string', value: 'postgres://${_env_DB_HOST}/app' } },
  });
  assert.deepEqual(validateGraph(graph, { knownConstants: ['DB_HOST', 'DB'] }).errors, [], 'both constants exist; a render: false input is literal');
  const missing = validateGraph(graph, { knownConstants: ['DB'] }).errors;
  assert.deepEqual(missing.map((e) => [e.rule, e.nodeId]), [['unknown_constant', 'a'], ['unknown_constant', undefined]]);
  assert.match(missing[0]!.message, /^node a input cmd: \$\{_env_DB_HOST\} reads the project constant DB_HOST, which this project does not have; add it under the project's constants/);
  assert.match(missing[1]!.message, /^value of variable dsn: /);
  assert.deepEqual(validateGraph(graph).errors, [], 'without knownConstants any _env_ name is accepted');
});

test('resolvePlugin answering undefined (cannot tell) is accepted, false is not', () => {
  const graph = build(['start>a>end']);
  assert.equal(validateGraph(graph, { resolvePlugin: () => undefined }).ok, true);
  const rejected = validateGraph(graph, { resolvePlugin: (name, version) => !(name === 'demo' && version === '1.0.0') });
  assert.equal(rejected.errors[0]!.rule, 'unknown_plugin');
  assert.match(rejected.errors[0]!.message, /demo@1\.0\.0/);
});

test('matchConverges pairs gateways with their converges', () => {
  const graph = build(['start>par1>ex>a>conv1>end', 'ex>b>conv1', 'par1>par2>c>conv2>conv1', 'par2>d>conv2']);
  assert.deepEqual(Object.fromEntries(matchConverges(graph)), { par1: 'conv1', ex: 'conv1', par2: 'conv2' });
  const analysis = analyzeGraph(graph);
  assert.equal(analysis.joins.get('conv1'), 'par1');
  assert.equal(analysis.joins.get('conv2'), 'par2');
  assert.deepEqual(analysis.order[0], 'start');
});

test('matchConverges throws a typed error for an invalid graph', () => {
  const graph = build(['start>par1>par2>a>conv>end', 'par2>b>conv', 'par1>c>conv']);
  assert.throws(() => matchConverges(graph), (err: unknown) =>
    err instanceof InvalidGraphError && err.code === 'graph_invalid' && err.errors.some((e) => e.rule === 'converge_shared_by_parallels'));
});

test('analyzeGraph reports loops as backward flows', () => {
  const analysis = analyzeGraph(VALID['loop inside a parallel branch']!);
  assert.deepEqual([...analysis.backEdges], ['ex-a']);
  assert.deepEqual(analysis.errors, []);
});

test('a long sequence validates without deep recursion', () => {
  // The most nodes a graph may have: 19,998 tasks between its start and end.
  const ids = Array.from({ length: 19_998 }, (_, i) => `t${i}`);
  const graph = build([`start>${ids.join('>')}>end`]);
  assert.equal(validateGraph(graph).ok, true);
});
