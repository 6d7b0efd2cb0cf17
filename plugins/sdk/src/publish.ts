import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { generateOrgKey, keyIdOf, signPackage, type OrgKey } from '@opsloom/plugin-registry/signing';
import { buildPlugin } from './build.js';

const run = promisify(execFile);

/**
 * Creates an organisation signing key: the private key goes to `file` (PEM, mode 0600, never
 * overwritten); the public key is returned for the trust stores of the organisations that will
 * install your plugins (`opsloom plugin trust add`).
 */
export function keygen(org: string, file: string): OrgKey {
  const key = generateOrgKey(org);
  writeFileSync(file, key.privateKey, { mode: 0o600, flag: 'wx' });
  return key;
}

/** Reads an organisation's private key (PEM) and derives its public key and key id. */
export function loadOrgKey(org: string, file: string): OrgKey {
  const privateKey = readFileSync(file, 'utf8');
  const pub = createPublicKey(createPrivateKey(privateKey));
  return { org, keyId: keyIdOf(pub), publicKey: pub.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/**
 * Builds the plugin, signs it with the organisation key and publishes it with the npm client
 * (lifecycle scripts off, so nothing changes the signed files after signing).
 */
export async function publishPlugin(dir: string, opts: { org: string; keyFile: string; registry?: string }, log: (line: string) => void): Promise<void> {
  await buildPlugin(dir, log);
  const key = loadOrgKey(opts.org, opts.keyFile);
  const signature = await signPackage(dir, key);
  log(`signed by ${key.org} (key ${key.keyId}): ${JSON.stringify(signature).length} bytes of signature in package.json`);
  const args = ['publish', '--ignore-scripts', ...(opts.registry ? ['--registry', opts.registry] : [])];
  const { stdout, stderr } = await run('npm', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  for (const line of `${stdout}\n${stderr}`.split('\n')) if (line.trim() && !line.includes('Unknown user config')) log(line);
}
