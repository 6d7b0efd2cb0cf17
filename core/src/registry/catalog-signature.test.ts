import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateOrgKey } from '@opsloom/plugin-registry';
import { entriesOf } from './catalog-entry.js';
import { judgeClaim } from './catalog-signature.js';
import { knownKeys, signMetadata } from './test-support/signed-metadata.js';

const manifest = (over: Record<string, unknown> = {}) => ({
  title: 'Ping', category: 'network', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' },
  mode: 'sync', capabilities: [] as string[], limits: { memoryMb: 32, timeoutMs: 1000 }, ...over,
});

const version = (name: string, v: string, plugin = manifest()) => ({ name, version: v, keywords: ['opsloom-plugin'], opsloom: { plugin } });

/** The mark of one version as the catalog indexes it. */
function markOf(meta: { name: string; version: string }, keys: ReturnType<typeof knownKeys>) {
  const [entry] = entriesOf({ name: meta.name, 'dist-tags': { latest: meta.version }, versions: { [meta.version]: meta } }, 'local', keys);
  return { state: entry!.signatureState, org: entry!.org, keyId: entry!.keyId };
}

/** Catalog marks come from verifying the signature in the metadata, not from the org and key id it names. */
describe('catalog signature marks', () => {
  const orgb = generateOrgKey('orgb');
  const other = generateOrgKey('orgb');
  const signed = signMetadata(version('@orgb/ping', '1.0.0'), orgb);

  test('a signature a pinned key of its organisation verifies is trusted', () => {
    assert.deepEqual(markOf(signed, knownKeys([orgb, true])), { state: 'trusted', org: 'orgb', keyId: orgb.keyId });
  });

  test('the same signature with a known but unpinned key, or a key the trust store lacks, is untrusted', () => {
    assert.equal(markOf(signed, knownKeys([orgb, false])).state, 'untrusted');
    assert.equal(markOf(signed, knownKeys([other, true])).state, 'untrusted');
    assert.equal(markOf(signed, knownKeys()).state, 'untrusted');
  });

  test('an organisation and key id copied onto another package or version are invalid', () => {
    const copied = { ...version('@evil/ping', '1.0.0'), opsloom: signed.opsloom };
    assert.deepEqual(markOf(copied, knownKeys([orgb, true])), { state: 'invalid', org: 'orgb', keyId: orgb.keyId });
    assert.equal(markOf({ ...signed, version: '1.0.1' }, knownKeys([orgb, true])).state, 'invalid');
    // A known key that is not pinned still tells a forged signature from a real one.
    assert.equal(markOf(copied, knownKeys([orgb, false])).state, 'invalid');
  });

  test('a manifest changed after signing is invalid, even when the key cannot be checked here', () => {
    const moreCaps = { ...signed, opsloom: { ...signed.opsloom, plugin: manifest({ capabilities: ['agent.execute'] }) } };
    assert.equal(markOf(moreCaps, knownKeys([orgb, true])).state, 'invalid');
    assert.equal(markOf(moreCaps, knownKeys()).state, 'invalid');
  });

  test('a tampered or malformed signature is invalid; no signature is unsigned', () => {
    const sig = signed.opsloom.signature;
    const flipped = { ...signed, opsloom: { ...signed.opsloom, signature: { ...sig, sig: Buffer.alloc(64).toString('base64') } } };
    assert.equal(markOf(flipped, knownKeys([orgb, true])).state, 'invalid');
    const claimOnly = { ...signed, opsloom: { plugin: signed.opsloom.plugin, signature: { org: 'orgb', keyId: orgb.keyId } } };
    assert.deepEqual(markOf(claimOnly, knownKeys([orgb, true])), { state: 'invalid', org: 'orgb', keyId: orgb.keyId });
    assert.deepEqual(markOf(version('@orgb/ping', '1.0.0'), knownKeys([orgb, true])), { state: 'unsigned', org: null, keyId: null });
  });

  test('a row indexed before signatures were stored is never trusted on its claim alone', () => {
    const legacy = { org: 'orgb', keyId: orgb.keyId, signature: null, manifestSigned: null };
    assert.equal(judgeClaim(legacy, '@orgb/ping', '1.0.0', knownKeys([orgb, true])), 'untrusted');
    assert.equal(judgeClaim({ ...legacy, keyId: null }, '@orgb/ping', '1.0.0', knownKeys([orgb, true])), 'unsigned');
  });
});
