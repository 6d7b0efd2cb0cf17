import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { readPackageJson, withoutSignature, type PackageJson } from './trust/digest.js';
import type { OrgKey } from './trust/keys.js';
import { signFiles, type PackageSignature } from './trust/signature.js';
import { readPackageTarball } from './trust/tarball.js';

export { generateOrgKey, isOrgName, keyIdOf, parsePublicKey, publicKeyBase64, type OrgKey } from './trust/keys.js';
export { canonicalJson } from './trust/canonical-json.js';
export { contentDigest, manifestDigest, sriSha512 } from './trust/digest.js';
export {
  readSignature, signFiles, signatureVerifies, signedPayload, verifyPackage,
  type PackageSignature, type TrustStore, type VerificationResult,
} from './trust/signature.js';

const run = promisify(execFile);

/** Options of {@link signPackage}. */
export interface SignPackageOptions {
  /**
   * The npm executable used to pack the package (the same file selection `npm publish` makes).
   * @default 'npm'
   */
  npmCommand?: string;
}

/**
 * Signs the plugin package in `dir` with an organisation key and writes the signature into its
 * package.json as `opsloom.signature` (see {@link PackageSignature} for what is covered and why).
 *
 * The package is packed with `npm pack --ignore-scripts` so the signed file set is exactly what
 * `npm publish` will upload; any later change to a file or to package.json (other than the
 * signature) makes installation fail. Run build steps before signing, then publish without
 * lifecycle scripts that modify files (`npm publish --ignore-scripts`).
 * @example
 * const key = generateOrgKey('orgb');
 * await signPackage('./my-plugin', key);
 * // then: npm publish --ignore-scripts
 */
export async function signPackage(dir: string, orgKey: OrgKey, options: SignPackageOptions = {}): Promise<PackageSignature> {
  const pkgPath = join(dir, 'package.json');
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as PackageJson;
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.SigningFailed, `cannot read ${pkgPath}: ${(err as Error).message}`);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
    throw new RegistryError(RegistryErrorCode.SigningFailed, `${pkgPath} must hold a JSON object`);
  }
  // Drop a previous signature first so re-signing never depends on the old one.
  pkg = withoutSignature(pkg);
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

  const out = await mkdtemp(join(tmpdir(), 'opsloom-sign-'));
  try {
    let stdout: string;
    try {
      ({ stdout } = await run(options.npmCommand ?? 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
        cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_loglevel: 'error' },
      }));
    } catch (err) {
      throw new RegistryError(RegistryErrorCode.SigningFailed, `npm pack failed in ${dir}: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    }
    const packed = JSON.parse(stdout) as { filename: string }[];
    const files = await readPackageTarball(await readFile(join(out, packed[0].filename)));
    const signature = signFiles(files, readPackageJson(files), orgKey);
    const opsloom = (typeof pkg.opsloom === 'object' && pkg.opsloom !== null ? pkg.opsloom : {}) as Record<string, unknown>;
    await writeFile(pkgPath, `${JSON.stringify({ ...pkg, opsloom: { ...opsloom, signature } }, null, 2)}\n`);
    return signature;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
