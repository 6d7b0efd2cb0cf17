import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { RegistryError, RegistryErrorCode } from '../errors.js';

/** Bounds applied when reading a package tarball; every remote tarball is hostile until checked. */
export interface TarballLimits {
  /**
   * Largest sum of file sizes once unpacked.
   * @default 200 MiB
   */
  maxUnpackedBytes?: number;
  /**
   * Most entries (files and directories) a tarball may hold.
   * @default 10000
   */
  maxEntries?: number;
}

/** The regular files of a package, keyed by path relative to the package root (`lib/index.js`). */
export type PackageFiles = Map<string, Buffer>;

const DEFAULT_MAX_UNPACKED = 200 * 1024 * 1024;
const DEFAULT_MAX_ENTRIES = 10_000;
// Control characters and backslashes in names are never legitimate in an npm package and make
// paths ambiguous across platforms and in the signed file list.
function hasUnsafeChars(path: string): boolean {
  for (const ch of path) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || ch === '\\') return true;
  }
  return false;
}

function unsafe(message: string, details: Record<string, unknown> = {}): RegistryError {
  return new RegistryError(RegistryErrorCode.UnsafeArchive, message, details);
}

/**
 * Maps a tar entry path to a path inside the package the way npm does (the first component,
 * usually `package/`, is dropped), refusing anything that could escape the package directory.
 * Returns undefined for the top-level directory itself.
 */
export function packageRelativePath(entryPath: string): string | undefined {
  if (hasUnsafeChars(entryPath)) throw unsafe(`tarball entry "${JSON.stringify(entryPath)}" has control characters or backslashes in its name`);
  if (entryPath.startsWith('/')) throw unsafe(`tarball entry "${entryPath}" has an absolute path`);
  const parts = entryPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw unsafe(`tarball entry "${entryPath}" escapes the package with ".."`);
  if (parts.length <= 1) return undefined;
  return parts.slice(1).join('/');
}

/**
 * Reads a (gzipped) npm tarball entirely in memory and returns its regular files.
 * Refuses symlinks, hard links, devices, FIFOs, duplicate paths, paths escaping the package,
 * and content over the limits, with a `PLUGIN_UNSAFE_ARCHIVE` {@link RegistryError}.
 * Reading into memory first means nothing touches the disk before it has been verified.
 * @example const files = await readPackageTarball(await readFile('x-1.0.0.tgz'));
 */
export async function readPackageTarball(tarball: Buffer, limits: TarballLimits = {}): Promise<PackageFiles> {
  const maxUnpacked = limits.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED;
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  let raw: Buffer;
  if (tarball.length >= 2 && tarball[0] === 0x1f && tarball[1] === 0x8b) {
    try {
      // Headers add 512 bytes per entry plus padding, so allow that on top of the content bound.
      raw = gunzipSync(tarball, { maxOutputLength: maxUnpacked + (maxEntries + 2) * 1024 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw unsafe(`tarball unpacks to more than ${maxUnpacked} bytes`, { maxUnpackedBytes: maxUnpacked });
      }
      throw unsafe(`tarball is not valid gzip: ${(err as Error).message}`);
    }
  } else {
    raw = tarball;
  }

  const files: PackageFiles = new Map();
  let entries = 0;
  let total = 0;
  let failure: RegistryError | undefined;
  const pending: Promise<void>[] = [];

  const onEntry = (entry: ReadEntry): void => {
    if (failure) {
      entry.resume();
      return;
    }
    try {
      entries += 1;
      if (entries > maxEntries) throw unsafe(`tarball has more than ${maxEntries} entries`, { maxEntries });
      const rel = packageRelativePath(entry.path);
      if (entry.type === 'Directory') {
        entry.resume();
        return;
      }
      if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
        throw unsafe(`tarball entry "${entry.path}" is a ${entry.type}; only regular files are allowed`, { type: entry.type });
      }
      if (rel === undefined) throw unsafe(`tarball entry "${entry.path}" is a file outside any package directory`);
      if (files.has(rel)) throw unsafe(`tarball holds "${rel}" twice`);
      total += entry.size;
      if (total > maxUnpacked) throw unsafe(`tarball unpacks to more than ${maxUnpacked} bytes`, { maxUnpackedBytes: maxUnpacked });
      files.set(rel, Buffer.alloc(0));
      pending.push(entry.concat().then((data) => {
        files.set(rel, data);
      }));
    } catch (err) {
      failure = err instanceof RegistryError ? err : unsafe(String(err));
      entry.resume();
    }
  };

  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: true, onReadEntry: onEntry });
    parser.on('error', (err: Error) => reject(unsafe(`tarball is malformed: ${err.message}`)));
    parser.on('end', () => resolve());
    parser.end(raw);
  });
  await Promise.all(pending);
  if (failure) throw failure;
  return files;
}
