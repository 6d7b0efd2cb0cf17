import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostServices } from '@opsloom/plugin-runtime';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 6);

test('IPs in several cloud areas become one query per area, merged without duplicates', async () => {
  const queries: unknown[] = [];
  const services: HostServices = {
    async cmdbRead(query) {
      queries.push(query);
      const q = query as { cloudArea: number; ips: string[] };
      // Host "shared" answers in both areas: it must be listed once.
      return { hosts: [...q.ips.map((ip) => ({ id: `${q.cloudArea}-${ip}`, cloudArea: q.cloudArea, ip, agentOnline: true })), { id: 'shared', cloudArea: 0, ip: '10.9.9.9', agentOnline: true }] };
    },
  };
  const result = await invoke({ inputs: { ips: ['1:10.0.0.1', '10.0.0.2', '0:10.0.0.3', '1:10.0.0.1'], labels: { env: 'prod' } } }, services);
  assert.deepEqual(queries, [
    { kind: 'hosts', labels: { env: 'prod' }, cloudArea: 1, ips: ['10.0.0.1'] },
    { kind: 'hosts', labels: { env: 'prod' }, cloudArea: 0, ips: ['10.0.0.2', '10.0.0.3'] },
  ]);
  assert.equal(result.status, 'done');
  if (result.status !== 'done') return;
  assert.deepEqual(result.outputs.ips, ['0:10.0.0.2', '0:10.0.0.3', '0:10.9.9.9', '1:10.0.0.1']);
});

test('more hosts than the limit fail the node instead of flooding later nodes', async () => {
  const services: HostServices = {
    async cmdbRead() {
      return { hosts: Array.from({ length: 30 }, (_, i) => ({ id: `h${i}`, cloudArea: 0, ip: `10.0.1.${i}`, agentOnline: true })) };
    },
  };
  const result = await invoke({ inputs: { topology: [{ set: 'prod' }], limit: 20 } }, services);
  assert.equal(result.status, 'failed');
  if (result.status === 'failed') assert.equal(result.error.code, 'TOO_MANY_HOSTS');
});

test('a CMDB error reaches the node as a coded failure', async () => {
  const services: HostServices = { async cmdbRead() { throw new Error('database is down'); } };
  const result = await invoke({ inputs: { group: 'web' } }, services);
  assert.equal(result.status, 'failed');
  if (result.status === 'failed') {
    assert.equal(result.error.code, 'HOST_SERVICE_FAILED');
    assert.match(result.error.message, /database is down/);
  }
});
