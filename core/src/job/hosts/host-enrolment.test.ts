import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFacts } from '@opsloom/agent/protocol';
import { openTestDb } from '../../test-support/test-db.js';
import type { Db } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { AgentAuthError, HostService } from './host-service.js';
import { HostStore } from './host-store.js';
import { RemovedHostStore } from './removed-host-store.js';

const facts = (ip: string, cloudArea = 0): HostFacts => ({
  hostname: `h-${ip}`, os: { platform: 'linux', release: '6.1', arch: 'x64' }, ips: [ip], cloudArea, agentVersion: '1.0.0', languages: ['bash'],
});

/** Enrolment in batches (a first rollout), on the suite's backend. */
describe('host enrolment', () => {
  let db: Db;
  let close: () => Promise<void>;
  let hosts: HostService;
  let store: HostStore;
  let projectId: string;

  before(async () => {
    ({ db, close } = await openTestDb('host-enrolment'));
    projectId = newId();
    await db('projects').insert({ id: projectId, key: 'enrol', name: 'Enrol', created_by: 'admin', created_at: Date.now(), updated_at: Date.now() });
    store = new HostStore(db);
    hosts = new HostService(store, new RemovedHostStore(db));
  });
  after(() => close());

  test('a batch creates its hosts, refuses only bad tokens, and counts each token\'s uses', async () => {
    const good = await hosts.createToken(projectId, 'admin', { name: 'rollout' });
    const revoked = await hosts.createToken(projectId, 'admin', { name: 'old' });
    await hosts.revokeToken(projectId, revoked.id);
    const requests = [
      ...Array.from({ length: 400 }, (_, i) => ({ token: good.token, facts: facts(`10.8.${i >> 8}.${i & 255}`) })),
      { token: revoked.token, facts: facts('10.9.0.1') },
      { token: 'ole_unknown', facts: facts('10.9.0.2') },
    ];
    const out = await hosts.enrolMany(requests);
    assert.equal(out.length, requests.length);
    assert.ok(out.slice(0, 400).every((r) => !(r instanceof AgentAuthError)));
    assert.ok(out.slice(400).every((r) => r instanceof AgentAuthError && r.code === 'ENROL_TOKEN_INVALID'));
    const { items, total } = await store.list(projectId, { limit: 1000, offset: 0 });
    assert.equal(total, 400);
    const first = out[0] as Exclude<(typeof out)[number], AgentAuthError>;
    assert.equal(items.find((h) => h.ip === '10.8.0.0')?.id, first.host.id);
    const authenticated = await hosts.authenticate(first.agentId, first.credential);
    assert.equal(authenticated.ip, '10.8.0.0', 'the agent authenticates with the credential it was given');
    const token = (await store.listTokens(projectId)).find((t) => t.id === good.id)!;
    assert.equal(token.uses, 400);
  });

  test('an identity enrolled twice in one batch, or again later, keeps one host held by the last agent', async () => {
    const { token } = await hosts.createToken(projectId, 'admin', { name: 'twice' });
    const [a, b] = await hosts.enrolMany([{ token, facts: facts('10.7.0.1', 3) }, { token, facts: facts('10.7.0.1', 3) }]) as { agentId: string; credential: string; host: { id: string } }[];
    assert.equal(a!.host.id, b!.host.id, 'one host for one (project, cloud area, IP)');
    await assert.rejects(hosts.authenticate(a!.agentId, a!.credential), /unknown agent|credential/i);
    assert.equal((await hosts.authenticate(b!.agentId, b!.credential)).id, b!.host.id);
    const again = await hosts.enrol(token, facts('10.7.0.1', 3));
    assert.equal(again.host.id, b!.host.id, 'a later enrolment takes the same host over');
    await assert.rejects(hosts.authenticate(b!.agentId, b!.credential));
    const other = await hosts.enrol(token, facts('10.7.0.1', 4));
    assert.notEqual(other.host.id, b!.host.id, 'the same IP in another cloud area is another host');
  });

  test('a removed host is refused in a batch with the project\'s tokens, alone, until re-admitted', async () => {
    const first = await hosts.createToken(projectId, 'admin', { name: 'first' });
    const second = await hosts.createToken(projectId, 'admin', { name: 'second' });
    const gone = await hosts.enrol(first.token, facts('10.5.0.1', 1));
    const removed = await hosts.remove(projectId, gone.host.id, 'alice');
    assert.equal(removed.id, gone.host.id, 'the tombstone keeps the id the host had');
    await assert.rejects(hosts.authenticate(gone.agentId, gone.credential), (err: AgentAuthError) => err.code === 'AGENT_REMOVED' && /removed .* by an administrator/.test(err.message) && !err.message.includes('alice'),
      'the refusal does not name the administrator to the removed machine');
    const usesBefore = (await store.listTokens(projectId)).find((t) => t.id === second.id)!.uses;
    const out = await hosts.enrolMany([
      { token: second.token, facts: facts('10.5.0.1', 1) },
      { token: first.token, facts: facts('10.5.0.2', 1) },
      { token: second.token, facts: facts('10.5.0.1', 2) },
      { token: second.token, facts: facts('10.5.0.1', 1) },
    ]);
    assert.ok(out[0] instanceof AgentAuthError && out[0].code === 'AGENT_REMOVED', 'another token of the project does not bring it back');
    assert.ok(out[3] instanceof AgentAuthError && out[3].code === 'AGENT_REMOVED');
    assert.ok(!(out[1] instanceof AgentAuthError) && !(out[2] instanceof AgentAuthError), 'other identities enrol in the same batch');
    assert.equal((await store.byIdentity(projectId, 1, '10.5.0.1')), undefined, 'nothing is written for a removed identity');
    assert.equal((await store.listTokens(projectId)).find((t) => t.id === second.id)!.uses, usesBefore + 1, 'a refused enrolment is not a use');

    const other = newId();
    await db('projects').insert({ id: other, key: 'enrol-other', name: 'Other', created_by: 'admin', created_at: Date.now(), updated_at: Date.now() });
    const otherToken = await hosts.createToken(other, 'admin', { name: 'other' });
    assert.equal((await hosts.enrol(otherToken.token, facts('10.5.0.1', 1))).host.projectId, other, 'another project may hold the same identity');

    assert.deepEqual((await hosts.listRemoved(projectId, { limit: 10, offset: 0 })).items.map((r) => [r.id, r.cloudArea, r.ip, r.removedBy]), [[gone.host.id, 1, '10.5.0.1', 'alice']]);
    await hosts.readmit(projectId, gone.host.id);
    await assert.rejects(hosts.readmit(projectId, gone.host.id), /does not exist/);
    await assert.rejects(hosts.authenticate(gone.agentId, gone.credential), (err: AgentAuthError) => err.code === 'CREDENTIAL_INVALID', 'the old credential stays invalid');
    const back = await hosts.enrol(second.token, facts('10.5.0.1', 1));
    assert.equal((await hosts.authenticate(back.agentId, back.credential)).ip, '10.5.0.1');
    assert.equal((await hosts.listRemoved(projectId, { limit: 10, offset: 0 })).total, 0);
  });
});
