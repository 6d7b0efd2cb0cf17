import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostServices } from '@opsloom/plugin-runtime';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 7);

test('a webhook body is templated deeply; HTML values are escaped; a value is never re-scanned', async () => {
  const sent: unknown[] = [];
  const services: HostServices = { async notifySend(m) { sent.push(m); return { delivered: true }; } };
  const values = { app: '<b>api</b>', trick: '{{secret}}', secret: 'leaked' };
  const hook = await invoke({ inputs: { channel: 'webhook', url: 'http://127.0.0.1:9/h', headers: { 'X-A': '1' }, body: { app: '{{app}}', list: ['{{trick}}', 3] }, values } }, services);
  assert.equal(hook.status, 'done');
  const mail = await invoke({ inputs: { channel: 'email', to: ['a@example.com'], subject: 's', message: '{{app}}', html: '<p>{{app}}</p>', values } }, services);
  assert.equal(mail.status, 'done');
  assert.deepEqual(sent, [
    { channel: 'webhook', url: 'http://127.0.0.1:9/h', headers: { 'X-A': '1' }, body: { app: '<b>api</b>', list: ['{{secret}}', 3] } },
    { channel: 'email', to: ['a@example.com'], subject: 's', text: '<b>api</b>', html: '<p>&lt;b&gt;api&lt;/b&gt;</p>' },
  ]);
});

test('lenient templates leave missing values empty; a bad chat webhook is refused before sending', async () => {
  const sent: unknown[] = [];
  const services: HostServices = { async notifySend(m) { sent.push(m); return { delivered: true, detail: 'ok' }; } };
  const ok = await invoke({ inputs: { channel: 'feishu', webhook: 'secret:f', message: 'a{{missing}}b', strictTemplates: false } }, services);
  assert.equal(ok.status, 'done');
  assert.deepEqual(sent, [{ channel: 'feishu', webhook: 'secret:f', text: 'ab' }]);
  const bad = await invoke({ inputs: { channel: 'slack', webhook: 'file:///etc/passwd', message: 'x' } }, services);
  assert.equal(bad.status, 'failed');
  if (bad.status === 'failed') assert.equal(bad.error.code, 'URL_INVALID');
  assert.equal(sent.length, 1);
});
