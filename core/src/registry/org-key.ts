import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOrgKey, keyIdOf, type OrgKey } from '@opsloom/plugin-registry';
import type { TrustStore } from './trust-store.js';

/** The organisation that signs Opsloom's standard plugins. */
export const OPSLOOM_ORG = 'opsloom';

/** Where the `opsloom` organisation's private key lives. */
export function opsloomKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', `${OPSLOOM_ORG}.key`);
}

function read(file: string): OrgKey | undefined {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const publicKey = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
  return { org: OPSLOOM_ORG, keyId: keyIdOf(publicKey), publicKey, privateKey: pem };
}

/**
 * The `opsloom` organisation key: created at first start as `<dataDir>/keys/opsloom.key`
 * (PKCS#8 PEM, mode 0600) and pinned in the trust store, so standard plugins signed with it
 * install as verified. Later starts read the file and make sure the key is still pinned.
 */
export async function ensureOpsloomKey(dataDir: string, trust: TrustStore): Promise<OrgKey> {
  const file = opsloomKeyFile(dataDir);
  let key = read(file);
  if (!key) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const fresh = generateOrgKey(OPSLOOM_ORG);
    try {
      // 'wx': when two processes race, one writes and the other reads the winner's key.
      writeFileSync(file, fresh.privateKey, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    key = read(file)!;
  }
  const known = (await trust.list(OPSLOOM_ORG)).find((k) => k.keyId === key.keyId);
  if (!known) await trust.add({ org: OPSLOOM_ORG, publicKey: key.publicKey, pinned: true, note: 'created at first start; signs standard plugins' }, 'system');
  return key;
}
