import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test-support/test-db.js';
import type { Db } from '../db.js';
import { migrationSource } from './index.js';

const version = (v: string, org: string | null, signatureState: string) => ({
  name: '@acme/p', version: v, status: 'online', runtime: 'isolate', title: 'P', category: 'test', description: null, manifest: '{}',
  integrity: `sha512-${v}`, dir: '/tmp/p', org, signature_state: signatureState, approved_capabilities: null, approved_by: null,
  approved_at: null, source: 'registry:x', installed_at: 1, updated_at: 1,
});

/** Versions installed before claims were kept apart: an unverified signature's organisation becomes a claim. */
describe('migration 019: claimed plugin organisations', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => ({ db, close } = await openTestDb('claimed-plugin-orgs')));
  after(() => close());

  test('an organisation recorded from an unverified signature moves to claimed_org, a verified one stays, and back', async () => {
    await db.migrate.down({ migrationSource, name: '019-claimed-plugin-orgs' });
    await db('plugin_versions').insert([version('1.0.0', 'acme', 'verified'), version('1.0.1', 'strangers', 'unsigned-approved'), version('1.0.2', null, 'unsigned-approved')]);
    await db.migrate.up({ migrationSource, name: '019-claimed-plugin-orgs' });
    const rows = async (...cols: string[]) => (await db('plugin_versions').orderBy('version').select('version', ...cols) as Record<string, unknown>[]).map((r) => Object.values(r));
    assert.deepEqual(await rows('org', 'claimed_org'), [['1.0.0', 'acme', null], ['1.0.1', null, 'strangers'], ['1.0.2', null, null]]);
    await db.migrate.down({ migrationSource, name: '019-claimed-plugin-orgs' });
    assert.deepEqual(await rows('org'), [['1.0.0', 'acme'], ['1.0.1', 'strangers'], ['1.0.2', null]]);
    await db.migrate.up({ migrationSource, name: '019-claimed-plugin-orgs' });
  });
});
