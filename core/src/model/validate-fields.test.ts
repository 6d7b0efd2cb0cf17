import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGraph } from './index.js';
import { build } from './test-graphs.js';
import { closestName } from './validate-fields.js';

const problems = (graph: unknown, opts = {}): string[][] => validateGraph(graph, opts).errors.map((e) => [e.rule, e.nodeId ?? e.flowId ?? '', e.message]);

test('an unknown node field is refused, naming the node and the closest known field', () => {
  const graph = build(['start>a>end'], { nodes: { a: { onEror: { ignore: true } } as object } });
  assert.deepEqual(problems(graph), [['invalid_node', 'a', 'task node a: unknown field "onEror"; did you mean "onError"?']]);
});

test('unknown fields inside onError, retry, timeout and loop are refused', () => {
  const graph = build(['start>a>end'], { nodes: { a: {
    onError: { retyr: { times: 1, intervalMs: 0 }, timeout: { seconds: 5, action: 'fail', unit: 's' } }, loop: { maxLoop: 3, maxLoops: 3 },
  } as object } });
  assert.deepEqual(problems(graph), [
    ['invalid_node', 'a', 'task node a: unknown field "loop.maxLoop"; did you mean "loop.maxLoops"?'],
    ['invalid_error_policy', 'a', 'task node a: unknown field "onError.retyr"; did you mean "onError.retry"?'],
    ['invalid_error_policy', 'a', 'task node a: unknown field "onError.timeout.unit"; the known fields are onError.timeout.seconds, onError.timeout.action'],
  ]);
});

test('unknown fields of variables, flows and conditions are refused', () => {
  const graph = build(['start>ex', 'ex>a>end ?n > 1', 'ex>end2 default'], {
    variables: { n: { type: 'number', vaule: 3, requird: true } as never },
  });
  (graph.flows[0] as unknown as Record<string, unknown>).label = 'go';
  (graph.flows[1]!.condition as unknown as Record<string, unknown>).expresion = 'n > 2';
  assert.deepEqual(problems(graph), [
    ['invalid_shape', 'start-ex', 'flow start-ex: unknown field "label"; the known fields are id, source, target, condition, default'],
    ['invalid_condition', 'ex-a', 'flow ex-a: unknown field "condition.expresion"; did you mean "condition.expression"?'],
    ['invalid_variable', '', 'variable n: unknown field "vaule"; did you mean "value"?'],
    ['invalid_variable', '', 'variable n: unknown field "requird"; did you mean "required"?'],
  ]);
});

test('the fields the editor writes are accepted, and a saved version is not checked for unknown fields', () => {
  const graph = build(['start>ex', 'ex>a>end ?n > 1', 'ex>end2 default'], {
    nodes: { a: { name: 'A', outputs: {}, onError: { ignore: true, retry: { times: 1, intervalMs: 0 }, timeout: { seconds: 1, action: 'fail' } },
      retryable: false, skippable: false, optional: true, loop: { maxLoops: 2 } }, ex: { name: 'choose', strategy: 'first' } },
    variables: { n: { type: 'number', value: 3, name: 'N', show: true, description: 'd', required: true, render: true } },
  });
  graph.flows[1]!.condition!.name = 'big';
  graph.layout = { a: { x: 1, y: 2 } };
  assert.deepEqual(problems(graph), []);
  const typo = build(['start>a>end'], { nodes: { a: { onEror: {} } as object } });
  assert.deepEqual(problems(typo, { savedVersion: true }), []);
});

test('closestName suggests only likely typos', () => {
  assert.equal(closestName('onEror', ['onError', 'optional']), 'onError');
  assert.equal(closestName('retyr', ['retry', 'timeout']), 'retry');
  assert.equal(closestName('colour', ['name', 'type']), undefined);
});
