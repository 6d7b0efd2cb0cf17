import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 5);

test('the failure message is the given message, word for word', async () => {
  const message = 'health check failed on 2 hosts: 0:10.0.0.3, 0:10.0.0.4';
  const r = await invoke({ inputs: { condition: false, message } }, {});
  assert.equal(r.status, 'failed');
  if (r.status === 'failed') assert.deepEqual(r.error, { code: 'ASSERTION_FAILED', message });
});
