import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { validateManifest, type PluginManifest } from '@opsloom/plugin-runtime/manifest';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { MAX_TARBALL_BYTES, readBounded, readPackument } from './bounded-body.js';
import { isPackageName, packagePathSegment } from './package-name.js';
import { canonicalJson } from './trust/canonical-json.js';
import { pluginBlock, readPackageJson, sriSha512, type PackageJson } from './trust/digest.js';
import { verifyPackage, type TrustStore } from './trust/signature.js';
import { readPackageTarball, type PackageFiles, type TarballLimits } from './trust/tarball.js';
import { tarballUrlOf } from './tarball-url.js';

/** Minimal logger (pino-compatible) for refusals. */
export interface InstallLogger {
  warn(obj: object, msg: string): void;
}

/** Options of {@link installVerified}. */
export interface InstallVerifiedOptions {
  /** Registry base URL, e.g. `http://127.0.0.1:4873/`. */
  registryUrl: string;
  /** Bearer token for the registry (Opsloom registries require authentication to read). */
  token?: string;
  /** Package name, e.g. `@orgb/http-check`. */
  name: string;
  /** Exact version, or a dist-tag such as `latest`. */
  version: string;
  /** Root of the content-addressed plugin store. */
  storeDir: string;
  /** Trusted organisation keys (core's trust store). */
  trust: TrustStore;
  /**
   * An administrator explicitly approved this version although it is unsigned or its organisation
   * is untrusted. A signature that is present but wrong is refused regardless.
   * @default false
   */
  allowUnsigned?: boolean;
  /** Bounds on the tarball; see {@link TarballLimits}. `maxTarballBytes` bounds the download. */
  limits?: TarballLimits & {
    /** @default 50 MiB */
    maxTarballBytes?: number;
  };
  /** Where refusals are logged. */
  logger?: InstallLogger;
}

/** A plugin version unpacked in the store after all checks passed. */
export interface InstalledPlugin {
  /** `storeDir/<sha512 hex of the tarball>/package`: the package root. */
  dir: string;
  /** The tarball's `sha512-…` integrity (equal to the registry's `dist.integrity`). */
  integrity: string;
  name: string;
  /** The exact version installed (a dist-tag is resolved). */
  version: string;
  /** The organisation whose pinned key verified the signature; undefined unless `verified`. */
  org: string | undefined;
  /** The organisation an unverified signature names (an approved untrusted one): a claim, not a fact. */
  claimedOrg: string | undefined;
  /** `verified`: signed by a trusted key; `unsigned-approved`: unsigned or untrusted, approved by an admin. */
  signatureState: 'verified' | 'unsigned-approved';
  /** The validated `opsloom.plugin` manifest. */
  manifest: PluginManifest;
}

/** Marker written beside an installed package; its presence means the directory is complete. */
const MARKER = 'install.json';

async function request(url: string, token: string | undefined, accept: string): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.RequestFailed, `cannot reach the registry at ${url}: ${(err as Error).message}`, { url });
  }
}

/** Fetches a packument and picks a version (exact or dist-tag). */
async function resolveVersion(opts: InstallVerifiedOptions): Promise<{ version: string; meta: PackageJson }> {
  const url = new URL(packagePathSegment(opts.name), withSlash(opts.registryUrl)).href;
  const res = await request(url, opts.token, 'application/json');
  if (res.status === 404) throw new RegistryError(RegistryErrorCode.NotFound, `${opts.name} is not in the registry at ${opts.registryUrl}`, { name: opts.name });
  if (!res.ok) throw new RegistryError(RegistryErrorCode.RequestFailed, `registry answered ${res.status} for ${opts.name}: ${(await res.text()).slice(0, 300)}`, { status: res.status });
  const packument = await readPackument<{ versions?: Record<string, PackageJson>; 'dist-tags'?: Record<string, string> }>(res, opts.name);
  const versions = packument.versions ?? {};
  const version = Object.hasOwn(versions, opts.version) ? opts.version : packument['dist-tags']?.[opts.version];
  if (version === undefined || !Object.hasOwn(versions, version)) {
    throw new RegistryError(RegistryErrorCode.NotFound, `${opts.name} has no version or tag "${opts.version}"`, { name: opts.name, version: opts.version });
  }
  return { version, meta: versions[version] };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Writes verified files to a fresh directory; paths were already checked by the tarball reader. */
async function writeFiles(root: string, files: PackageFiles): Promise<void> {
  for (const [rel, data] of files) {
    const target = resolve(root, rel);
    if (!target.startsWith(root + sep)) throw new RegistryError(RegistryErrorCode.UnsafeArchive, `tarball entry "${rel}" escapes the package`);
    try {
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, data, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      throw new RegistryError(RegistryErrorCode.UnsafeArchive, `cannot unpack "${rel}": ${(err as Error).message}`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads a plugin version and installs it into the content-addressed store, refusing it
 * unless every check passes:
 * 1. the tarball matches the packument's sha512 `dist.integrity` (`PLUGIN_INTEGRITY_MISMATCH`);
 * 2. the tarball is a safe archive: no links, devices, `..` or absolute paths, within limits
 *    (`PLUGIN_UNSAFE_ARCHIVE`), and its package.json names the requested package and version;
 * 3. it is a valid plugin (`PLUGIN_NOT_A_PLUGIN`) whose manifest equals the packument's
 *    (`PLUGIN_MANIFEST_CHANGED`, so the catalog never shows other capabilities than the code has);
 * 4. the signature verifies with the trust store (see {@link verifyPackage}).
 * Files are unpacked only after all checks, into `storeDir/<sha512 hex>/package`, by writing each
 * verified file ourselves (tar metadata, modes and links are never applied). Installing the same
 * tarball again re-verifies and reuses the directory.
 * @example
 * const p = await installVerified({ registryUrl, token, name: '@orgb/ping', version: '1.0.0',
 *   storeDir: './data/plugins', trust: { keysFor: (org) => trustStore.keys(org) } });
 * // p.dir, p.manifest.entry, p.signatureState === 'verified'
 */
export async function installVerified(opts: InstallVerifiedOptions): Promise<InstalledPlugin> {
  try {
    return await install(opts);
  } catch (err) {
    if (err instanceof RegistryError) opts.logger?.warn({ err: err.toJSON(), name: opts.name, version: opts.version }, `plugin install refused: ${err.message}`);
    throw err;
  }
}

async function install(opts: InstallVerifiedOptions): Promise<InstalledPlugin> {
  if (!isPackageName(opts.name)) throw new RegistryError(RegistryErrorCode.NotFound, `"${opts.name}" is not a valid npm package name`);
  const { version, meta } = await resolveVersion(opts);
  const dist = (meta.dist ?? {}) as { integrity?: unknown; tarball?: unknown };
  const integrity = dist.integrity;
  if (typeof integrity !== 'string' || !integrity.startsWith('sha512-')) {
    throw new RegistryError(RegistryErrorCode.IntegrityMismatch, `${opts.name}@${version} has no sha512 dist.integrity in the registry; it cannot be verified`, { name: opts.name, version });
  }
  if (typeof dist.tarball !== 'string') throw new RegistryError(RegistryErrorCode.RequestFailed, `${opts.name}@${version} has no dist.tarball URL`);
  const tarballUrl = tarballUrlOf(opts.name, version, dist.tarball, RegistryErrorCode.RequestFailed);
  // Only fetch from the registry we were pointed at: a packument must not send us elsewhere.
  if (tarballUrl.origin !== new URL(opts.registryUrl).origin) {
    throw new RegistryError(RegistryErrorCode.RequestFailed, `${opts.name}@${version} points its tarball to ${tarballUrl.origin}, not to the registry ${new URL(opts.registryUrl).origin}`, { tarball: dist.tarball });
  }
  const res = await request(tarballUrl.href, opts.token, 'application/octet-stream');
  if (!res.ok) throw new RegistryError(res.status === 404 ? RegistryErrorCode.NotFound : RegistryErrorCode.RequestFailed, `registry answered ${res.status} for the tarball of ${opts.name}@${version}`, { status: res.status });
  const tarball = await readBounded(res, opts.limits?.maxTarballBytes ?? MAX_TARBALL_BYTES, `tarball at ${tarballUrl.href}`);

  const actual = sriSha512(tarball);
  if (actual !== integrity) {
    throw new RegistryError(RegistryErrorCode.IntegrityMismatch, `the tarball of ${opts.name}@${version} does not match the registry's dist.integrity; it was altered in storage or in transit`, { name: opts.name, version, expected: integrity, actual });
  }

  const files = await readPackageTarball(tarball, opts.limits);
  const pkg = readPackageJson(files);
  if (pkg.name !== opts.name || pkg.version !== version) {
    throw new RegistryError(RegistryErrorCode.ContentChanged, `the tarball of ${opts.name}@${version} holds ${String(pkg.name)}@${String(pkg.version)}`, { name: opts.name, version });
  }
  const validation = validateManifest(pkg);
  if (!validation.ok) {
    throw new RegistryError(RegistryErrorCode.NotAPlugin, `${opts.name}@${version} is not a valid Opsloom plugin: ${validation.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors: validation.errors });
  }
  if (canonicalJson(pluginBlock(meta) ?? null) !== canonicalJson(pluginBlock(pkg) ?? null)) {
    throw new RegistryError(RegistryErrorCode.ManifestChanged, `${opts.name}@${version}: the manifest in the registry's metadata differs from the one in the tarball`, { name: opts.name, version });
  }
  const verdict = await verifyPackage(files, pkg, opts.trust, opts.allowUnsigned ?? false);

  const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
  const storeDir = resolve(opts.storeDir);
  const home = join(storeDir, hex);
  if (!(await exists(join(home, MARKER)))) {
    const tmp = join(storeDir, `.tmp-${hex.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    await mkdir(join(tmp, 'package'), { recursive: true });
    try {
      await writeFiles(join(tmp, 'package'), files);
      await writeFile(join(tmp, MARKER), `${JSON.stringify({ name: opts.name, version, integrity, installedAt: new Date().toISOString() })}\n`);
      await rm(home, { recursive: true, force: true });
      await rename(tmp, home);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Another installer of the same tarball won the rename: its copy is equally verified.
      if (!(await exists(join(home, MARKER)))) throw err;
    }
  }
  return {
    dir: join(home, 'package'), integrity, name: opts.name, version,
    org: verdict.org, claimedOrg: verdict.state === 'verified' ? undefined : verdict.claimedOrg, signatureState: verdict.state, manifest: validation.manifest,
  };
}

/** Reads the marker of an installed tarball, or undefined when `storeDir` does not hold it. */
export async function readInstalled(storeDir: string, integrity: string): Promise<{ name: string; version: string; integrity: string } | undefined> {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
  try {
    return JSON.parse(await readFile(join(resolve(storeDir), hex, MARKER), 'utf8')) as { name: string; version: string; integrity: string };
  } catch {
    return undefined;
  }
}
