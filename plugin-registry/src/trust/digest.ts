import { createHash } from 'node:crypto';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import type { PackageFiles } from './tarball.js';

/** A JSON object as read from a package.json. */
export type PackageJson = Record<string, unknown>;

function sha512(data: string | Buffer): Buffer {
  return createHash('sha512').update(data).digest();
}

/** `sha512-<base64>`, the Subresource Integrity form npm uses for `dist.integrity`. */
export function sriSha512(data: string | Buffer): string {
  return `sha512-${sha512(data).toString('base64')}`;
}

/** Parses the package.json of a file set; throws `PLUGIN_NOT_A_PLUGIN` when absent or not an object. */
export function readPackageJson(files: PackageFiles): PackageJson {
  const raw = files.get('package.json');
  if (!raw) throw new RegistryError(RegistryErrorCode.NotAPlugin, 'the package has no package.json at its root');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.NotAPlugin, `package.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError(RegistryErrorCode.NotAPlugin, 'package.json must hold a JSON object');
  }
  return parsed as PackageJson;
}

/** package.json without `opsloom.signature`: the part of it a signature can cover. */
export function withoutSignature(pkg: PackageJson): PackageJson {
  const opsloom = pkg.opsloom;
  if (typeof opsloom !== 'object' || opsloom === null || Array.isArray(opsloom) || !('signature' in opsloom)) return pkg;
  const { signature: _signature, ...rest } = opsloom as Record<string, unknown>;
  return { ...pkg, opsloom: rest };
}

/** The `opsloom.plugin` block of a package.json, or undefined. */
export function pluginBlock(pkg: PackageJson): unknown {
  const opsloom = pkg.opsloom;
  if (typeof opsloom !== 'object' || opsloom === null || Array.isArray(opsloom)) return undefined;
  return (opsloom as Record<string, unknown>).plugin;
}

/**
 * Digest of a plugin manifest: `sha512-` + base64(sha512(canonicalJson(opsloom.plugin))).
 * Throws `PLUGIN_NOT_A_PLUGIN` when the block is missing.
 */
export function manifestDigest(pkg: PackageJson): string {
  const block = pluginBlock(pkg);
  if (block === undefined) throw new RegistryError(RegistryErrorCode.NotAPlugin, 'package.json has no "opsloom.plugin" block');
  return sriSha512(canonicalJson(block));
}

/**
 * Digest of a package's contents, independent of tar metadata and of the signature it carries.
 *
 * Definition (version 1), over the package's regular files (paths relative to the package root):
 * 1. each file contributes the line `<sha512 hex of its bytes>␠␠<path>\n`, except `package.json`,
 *    whose hash is taken over `canonicalJson(package.json with opsloom.signature removed)`;
 * 2. lines are ordered by the UTF-8 bytes of their path;
 * 3. the digest is `sha512-` + base64(sha512(all lines concatenated)).
 *
 * Because every file of the tarball is listed, adding, removing, renaming or changing any file —
 * including any package.json field other than the signature itself — changes the digest.
 */
export function contentDigest(files: PackageFiles): string {
  const pkg = readPackageJson(files);
  const paths = [...files.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const hash = createHash('sha512');
  for (const path of paths) {
    const data = path === 'package.json' ? canonicalJson(withoutSignature(pkg)) : (files.get(path) as Buffer);
    hash.update(`${sha512(data).toString('hex')}  ${path}\n`);
  }
  return `sha512-${hash.digest('base64')}`;
}
