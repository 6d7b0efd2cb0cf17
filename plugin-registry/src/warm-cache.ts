import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { isVersion } from './package-name.js';
import { MAX_TARBALL_BYTES, readBounded } from './bounded-body.js';
import type { Packument } from './registry.js';
import { sriSha512 } from './trust/digest.js';
import { tarballOnRegistry, tarballUrlOf } from './tarball-url.js';

/** What {@link warmPackage} needs from a running registry. */
export interface WarmTarget {
  readonly url: string;
  getPackument(name: string): Promise<Packument | undefined>;
  tarballPath(name: string, version: string): string;
  serviceAuthorization(): string;
}

/** Result of warming one package. */
export interface WarmResult {
  name: string;
  versions: { version: string; integrity: string; path: string }[];
}

/** True when the file exists and holds exactly the bytes with this integrity. */
async function cachedIntact(path: string, integrity: string): Promise<boolean> {
  try {
    return sriSha512(await readFile(path)) === integrity;
  } catch {
    return false;
  }
}

/**
 * Pulls a (remote) package through the registry so Verdaccio caches it, then makes sure each
 * tarball really is in storage. Verdaccio's uplink tarball caching writes the file while it
 * streams it and was seen to skip it; when the file is still missing shortly after the download,
 * the bytes just fetched (checked against `dist.integrity` first) are written where Verdaccio
 * looks for them, so installs keep working when the remote is down.
 */
export async function warmPackage(target: WarmTarget, name: string, versions?: string[]): Promise<WarmResult> {
  const packument = await target.getPackument(name);
  if (!packument) throw new RegistryError(RegistryErrorCode.NotFound, `${name} is not available from this registry or its remote sources`, { name });
  const wanted = versions ?? Object.keys(packument.versions ?? {});
  const result: WarmResult = { name, versions: [] };
  for (const version of wanted) {
    if (!isVersion(version)) {
      // A version key becomes a file name in storage: "1.0.0/../../x" would write outside it.
      throw new RegistryError(RegistryErrorCode.CacheWarmFailed, `${name} lists a version "${String(version).slice(0, 100)}" that is not semver; its packument is refused`, { name });
    }
    const meta = packument.versions?.[version];
    const dist = (meta?.dist ?? {}) as { tarball?: unknown; integrity?: unknown };
    if (typeof dist.tarball !== 'string' || typeof dist.integrity !== 'string') {
      throw new RegistryError(RegistryErrorCode.NotFound, `${name}@${version} is not in the packument`, { name, version });
    }
    const url = tarballOnRegistry(tarballUrlOf(name, version, dist.tarball, RegistryErrorCode.CacheWarmFailed), target.url);
    const res = await fetch(url, { headers: { authorization: target.serviceAuthorization() } });
    if (!res.ok) throw new RegistryError(RegistryErrorCode.CacheWarmFailed, `fetching the tarball of ${name}@${version} through the registry failed with HTTP ${res.status}`, { name, version });
    const bytes = await readBounded(res, MAX_TARBALL_BYTES, `tarball of ${name}@${version}`);
    if (sriSha512(bytes) !== dist.integrity) {
      throw new RegistryError(RegistryErrorCode.IntegrityMismatch, `the tarball of ${name}@${version} served by the remote does not match its dist.integrity`, { name, version });
    }
    const path = target.tarballPath(name, version);
    let cached = await cachedIntact(path, dist.integrity);
    for (let i = 0; !cached && i < 20; i += 1) {
      await sleep(25);
      cached = await cachedIntact(path, dist.integrity);
    }
    if (!cached) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.opsloom-tmp`, bytes);
      await rename(`${path}.opsloom-tmp`, path);
    }
    result.versions.push({ version, integrity: dist.integrity, path });
  }
  return result;
}
