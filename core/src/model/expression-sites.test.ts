import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantsRead, forEachExpressionSite, type ExpressionSite } from './index.js';
import { build } from './test-graphs.js';

const graph = build(['start>a>ex>b>end ?_env_STAGE == "prod" && ${_env_REGION} != ""', 'ex>end2 default'], {
  nodes: {
    a: { inputs: { cmd: 'psql -h ${_env_DB_HOST}', args: ['${_env_DB_PORT}', '$${_env_ESCAPED}'], script: { value: '${_env_LITERAL}', render: false } } } as never,
    b: { inputs: { text: 'in "${_env_DB_HOST}" and ${JSON.stringify({ _env_KEY_ONLY: 1 })}' } } as never,
  },
  variables: {
    dsn: { type: 'string', value: 'postgres://${_env_DB_USER}@db' },
    raw: { type: 'string', value: '${_env_RAW}', render: false },
  },
});

test('forEachExpressionSite visits inputs, conditions and variable values, never literal ones', () => {
  const sites: ExpressionSite[] = [];
  forEachExpressionSite(graph, (s) => sites.push(s));
  assert.deepEqual(sites.map((s) => [s.kind, s.where]), [
    ['text', 'node a input cmd'], ['text', 'node a input args[0]'], ['text', 'node a input args[1]'], ['text', 'node b input text'],
    ['condition', 'condition of flow ex-b'], ['text', 'value of variable dsn'],
  ]);
  assert.equal(sites[4]!.flowId, 'ex-b');
  assert.equal(sites[5]!.variable, 'dsn');
});

test('constantsRead lists the constants expressions read: not escaped, literal or object-key names', () => {
  assert.deepEqual(constantsRead(graph), ['DB_HOST', 'DB_PORT', 'DB_USER', 'REGION', 'STAGE']);
  assert.deepEqual(constantsRead(build(['start>a>end'])), []);
});
