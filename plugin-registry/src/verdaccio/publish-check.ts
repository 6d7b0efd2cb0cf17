import { validateManifest } from '@opsloom/plugin-runtime/manifest';
import { RegistryError } from '../errors.js';
import { canonicalJson } from '../trust/canonical-json.js';
import { pluginBlock, readPackageJson, sriSha512, type PackageJson } from '../trust/digest.js';
import { readSignature } from '../trust/signature.js';
import { readPackageTarball, type TarballLimits } from '../trust/tarball.js';

/** Outcome of checking one publish request body. */
export interface PublishCheck {
  /** Versions the body publishes (those with an attached tarball). */
  versions: string[];
  /** Human-readable problems; empty when the publish may proceed. */
  problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the body of `PUT /<package>` as sent by `npm publish`: for every version that comes
 * with a tarball, the tarball's own package.json (the source of truth, not the metadata beside
 * it) must be a valid Opsloom plugin (`opsloom-plugin` keyword, valid `opsloom.plugin` block),
 * name the package and version being published, carry the same manifest as the metadata, and
 * match the metadata's `dist.integrity`. Bodies without attachments (deprecate, dist-tags,
 * unpublish) carry no new code and pass.
 */
export async function checkPublishBody(packageName: string, body: unknown, limits: TarballLimits = {}): Promise<PublishCheck> {
  const result: PublishCheck = { versions: [], problems: [] };
  if (!isRecord(body)) return { ...result, problems: ['the publish request body must be a JSON object'] };
  const attachments = isRecord(body._attachments) ? body._attachments : {};
  if (Object.keys(attachments).length === 0) return result;
  const versions = isRecord(body.versions) ? body.versions : {};
  if (Object.keys(versions).length === 0) result.problems.push(`${packageName}: the publish request names no version`);

  for (const [version, meta] of Object.entries(versions)) {
    result.versions.push(version);
    const label = `${packageName}@${version}`;
    if (!isRecord(meta)) {
      result.problems.push(`${label}: version metadata must be an object`);
      continue;
    }
    const problems = await checkVersion(packageName, version, meta, attachments, limits);
    if (problems.length > 0) result.problems.push(`${label} is not a valid Opsloom plugin package: ${problems.join('; ')}`);
  }
  return result;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

async function checkVersion(
  packageName: string,
  version: string,
  meta: PackageJson,
  attachments: Record<string, unknown>,
  limits: TarballLimits,
): Promise<string[]> {
  const dist = isRecord(meta.dist) ? meta.dist : {};
  // npm keys the attachment `<name>-<version>.tgz` (scope included); the tarball URL ends in `/-/<that>`.
  const tarballUrl = typeof dist.tarball === 'string' ? dist.tarball : '';
  const fromUrl = tarballUrl.includes('/-/') ? safeDecode(tarballUrl.slice(tarballUrl.lastIndexOf('/-/') + 3)) : '';
  const key = [`${packageName}-${version}.tgz`, fromUrl].find((k) => k !== '' && Object.hasOwn(attachments, k));
  const attachment = key === undefined ? undefined : attachments[key];
  if (!isRecord(attachment) || typeof attachment.data !== 'string') return [`no tarball "${packageName}-${version}.tgz" is attached for this version`];
  const tarball = Buffer.from(attachment.data, 'base64');
  if (typeof dist.integrity === 'string' && dist.integrity.startsWith('sha512-') && sriSha512(tarball) !== dist.integrity) {
    return ['the attached tarball does not match dist.integrity'];
  }

  let pkg: PackageJson;
  try {
    pkg = readPackageJson(await readPackageTarball(tarball, limits));
  } catch (err) {
    return [err instanceof RegistryError ? err.message : `the tarball cannot be read: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const validation = validateManifest(pkg);
  if (!validation.ok) problems.push(...validation.errors.map((e) => `${e.path || 'package.json'}: ${e.message}`));
  if (pkg.name !== packageName || pkg.version !== version) {
    problems.push(`the tarball's package.json is ${String(pkg.name)}@${String(pkg.version)}, not ${packageName}@${version}`);
  }
  if (canonicalJson(pluginBlock(pkg) ?? null) !== canonicalJson(pluginBlock(meta) ?? null)) {
    problems.push('opsloom.plugin in the metadata differs from the tarball\'s package.json');
  }
  try {
    readSignature(pkg);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}
