import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsFromSchema, humanize, parseFieldInput, validateField, validateForm } from './schema-form.js';

const schema = {
  type: 'object',
  required: ['script', 'hosts'],
  'x-order': ['hosts'],
  properties: {
    script: { type: 'string', format: 'textarea', minLength: 3 },
    timeout_seconds: { type: 'integer', minimum: 1, maximum: 3600, default: 60 },
    language: { enum: ['bash', 'python'], 'x-enum-labels': ['Bash', 'Python'] },
    verbose: { type: 'boolean' },
    password: { type: 'string', writeOnly: true },
    hosts: { type: 'array', format: 'hosts', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, maxItems: 2 },
    target: { type: 'object', required: ['port'], properties: { port: { type: 'number', maximum: 65535 } } },
    extra: { type: 'object' },
  },
};

test('generates one field per property with kinds, labels, order and nesting', () => {
  const fields = fieldsFromSchema(schema);
  assert.deepEqual(fields.map((f) => [f.key, f.kind]), [
    ['hosts', 'hosts'], ['script', 'text'], ['timeout_seconds', 'integer'], ['language', 'enum'], ['verbose', 'boolean'],
    ['password', 'secret'], ['tags', 'array'], ['target', 'object'], ['extra', 'json'],
  ]);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  assert.equal(byKey.timeout_seconds!.label, 'Timeout seconds');
  assert.equal(byKey.timeout_seconds!.default, 60);
  assert.deepEqual(byKey.language!.options, [{ value: 'bash', label: 'Bash' }, { value: 'python', label: 'Python' }]);
  assert.equal(byKey.target!.fields![0]!.path, 'target.port');
  assert.equal(byKey.script!.required, true);
  assert.equal(humanize('maxRetries'), 'Max retries');
});

test('validation messages for each kind; expressions pass the type checks but not bad syntax', () => {
  const f = Object.fromEntries(fieldsFromSchema(schema).map((x) => [x.key, x]));
  assert.deepEqual(validateField(f.script!, ''), ['is required']);
  assert.deepEqual(validateField(f.script!, 'ls'), ['needs at least 3 characters']);
  assert.deepEqual(validateField(f.timeout_seconds!, 0.5), ['must be a whole number', 'must be at least 1']);
  assert.deepEqual(validateField(f.timeout_seconds!, '${limit * 2}'), []);
  assert.match(validateField(f.timeout_seconds!, '${limit')[0]!, /unterminated/);
  assert.deepEqual(validateField(f.language!, 'perl'), ['must be one of Bash, Python']);
  assert.deepEqual(validateField(f.verbose!, 'yes'), ['must be yes or no']);
  assert.deepEqual(validateField(f.tags!, ['ok', 'No', 'x']), ['takes at most 2 item(s)', 'item 2 does not match the pattern ^[a-z]+$']);
  assert.deepEqual(validateField(f.target!, { port: 70000 }), ['Port must be at most 65535']);
  assert.deepEqual(validateForm(fieldsFromSchema(schema), { script: 'echo hi' }), { hosts: ['is required'] });
});

test('reads typed text back as values of the field type', () => {
  const f = Object.fromEntries(fieldsFromSchema(schema).map((x) => [x.key, x]));
  assert.deepEqual(parseFieldInput(f.timeout_seconds!, '42'), { value: 42 });
  assert.deepEqual(parseFieldInput(f.timeout_seconds!, 'abc'), { error: 'must be a number (or a ${…} expression)' });
  assert.deepEqual(parseFieldInput(f.timeout_seconds!, '${t}'), { value: '${t}' });
  assert.deepEqual(parseFieldInput(f.hosts!, '10.0.0.1, 10.0.0.2'), { value: ['10.0.0.1', '10.0.0.2'] });
  assert.deepEqual(parseFieldInput(f.extra!, '{"a":1}'), { value: { a: 1 } });
  assert.deepEqual(parseFieldInput(f.extra!, '{'), { error: 'is not valid JSON' });
});
