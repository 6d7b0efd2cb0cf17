import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { contentDigest, readPackageJson } from './digest.js';
import { generateOrgKey, keyIdOf, parsePublicKey, publicKeyBase64 } from './keys.js';
import { signFiles, verifyPackage } from './signature.js';
import type { PackageFiles } from './tarball.js';

const manifest = {
  title: 'T', category: 'c', runtime: 'isolate', entry: 'index.js', inputs: { type: 'object' }, outputs: { type: 'object' },
  mode: 'sync', capabilities: [], limits: { memoryMb: 16, timeoutMs: 100 },
};

function files(pkg: Record<string, unknown>, index = 'code'): PackageFiles {
  return new Map([['package.json', Buffer.from(JSON.stringify(pkg))], ['index.js', Buffer.from(index)]]);
}

function signed(key = generateOrgKey('orga')): { key: typeof key; pkg: Record<string, unknown>; set: PackageFiles } {
  const pkg = { name: '@orga/p', version: '1.0.0', keywords: ['opsloom-plugin'], opsloom: { plugin: manifest } };
  const signature = signFiles(files(pkg), pkg, key);
  const withSig = { ...pkg, opsloom: { plugin: manifest, signature } };
  return { key, pkg: withSig, set: files(withSig) };
}

function code(c: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof RegistryError && e.code === c;
}

describe('canonical JSON', () => {
  it('sorts keys recursively and refuses what JSON cannot carry', () => {
    assert.equal(canonicalJson({ b: [1, { d: 1, c: 'x' }], a: null, u: undefined }), '{"a":null,"b":[1,{"c":"x","d":1}]}');
    assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  });
});

describe('package signatures', () => {
  it('verifies a signature and ignores package.json formatting', async () => {
    const { key, pkg } = signed();
    const reformatted: PackageFiles = new Map([['package.json', Buffer.from(JSON.stringify(pkg, null, 4))], ['index.js', Buffer.from('code')]]);
    const result = await verifyPackage(reformatted, readPackageJson(reformatted), { keysFor: () => [publicKeyBase64(key.publicKey)] });
    assert.deepEqual(result, { state: 'verified', org: 'orga', keyId: key.keyId });
  });

  it('accepts keys as PEM or raw base64, with the same key id', () => {
    const key = generateOrgKey('orga');
    assert.equal(keyIdOf(parsePublicKey(publicKeyBase64(key.publicKey))), key.keyId);
    assert.throws(() => parsePublicKey('not a key'), code(RegistryErrorCode.ConfigInvalid));
  });

  it('detects a changed file, an added file, a changed manifest and a forged signature', async () => {
    const { key, pkg, set } = signed();
    const trust = { keysFor: () => [key.publicKey] };
    const changed = new Map(set).set('index.js', Buffer.from('evil'));
    await assert.rejects(verifyPackage(changed, pkg, trust), code(RegistryErrorCode.ContentChanged));
    const added = new Map(set).set('extra.js', Buffer.from('x'));
    await assert.rejects(verifyPackage(added, pkg, trust), code(RegistryErrorCode.ContentChanged));
    const opsloom = pkg.opsloom as Record<string, unknown>;
    const moreCaps = { ...pkg, opsloom: { ...opsloom, plugin: { ...manifest, capabilities: ['agent.execute'] } } };
    await assert.rejects(verifyPackage(files(moreCaps), moreCaps, trust), code(RegistryErrorCode.ManifestChanged));
    const renamed = { ...pkg, name: '@orga/other' };
    await assert.rejects(verifyPackage(files(renamed), renamed, trust), code(RegistryErrorCode.SignatureInvalid));
    const other = generateOrgKey('orga');
    await assert.rejects(verifyPackage(set, pkg, { keysFor: () => [other.publicKey] }), code(RegistryErrorCode.SignatureInvalid));
  });

  it('computes the same content digest whatever the file order', () => {
    const a: PackageFiles = new Map([['package.json', Buffer.from('{"name":"x"}')], ['b', Buffer.from('1')], ['a', Buffer.from('2')]]);
    const b: PackageFiles = new Map([['a', Buffer.from('2')], ['b', Buffer.from('1')], ['package.json', Buffer.from('{ "name": "x" }')]]);
    assert.equal(contentDigest(a), contentDigest(b));
  });
});
