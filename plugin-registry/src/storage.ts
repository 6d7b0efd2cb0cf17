import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPackageName } from './package-name.js';

/** A package present in the registry's storage. */
export interface StoredPackage {
  name: string;
  /** True when it was published to this registry; false when it is a cached remote package. */
  local: boolean;
}

async function hasPackument(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'package.json'))).isFile();
  } catch {
    return false;
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * Lists every package in a Verdaccio storage folder (local publishes and cached remote ones),
 * read from disk so a reconcile never depends on Verdaccio's in-memory search index.
 */
export async function listStoredPackages(storageDir: string): Promise<StoredPackage[]> {
  let localNames = new Set<string>();
  try {
    const db = JSON.parse(await readFile(join(storageDir, '.verdaccio-db.json'), 'utf8')) as { list?: unknown };
    if (Array.isArray(db.list)) localNames = new Set(db.list.filter((n): n is string => typeof n === 'string'));
  } catch {
    // No database yet: nothing was published.
  }
  const names: string[] = [];
  for (const entry of await subdirs(storageDir)) {
    if (entry.startsWith('@')) {
      for (const sub of await subdirs(join(storageDir, entry))) {
        if (await hasPackument(join(storageDir, entry, sub))) names.push(`${entry}/${sub}`);
      }
    } else if (await hasPackument(join(storageDir, entry))) {
      names.push(entry);
    }
  }
  return names.filter(isPackageName).sort().map((name) => ({ name, local: localNames.has(name) }));
}
