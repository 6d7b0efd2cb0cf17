import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest } from '@opsloom/plugin-runtime/manifest';
import type { TarballFile } from './package-tarball.js';

/** A standard plugin package found beside core, ready to publish. */
export interface PluginPackage {
  name: string;
  version: string;
  dir: string;
}

/** Where the standard plugin packages sit when core runs from the repository (`<repo>/plugins`). */
export function defaultPluginsDir(): string {
  return fileURLToPath(new URL('../../../plugins/', import.meta.url));
}

/**
 * The built standard plugin packages under `dir` (every folder but the SDK). Folders that are not
 * valid plugins, or whose entry file was not built, are reported in `skipped` with the reason.
 */
export async function findPluginPackages(dir: string): Promise<{ packages: PluginPackage[]; skipped: { dir: string; reason: string }[] }> {
  const packages: PluginPackage[] = [];
  const skipped: { dir: string; reason: string }[] = [];
  if (!existsSync(dir)) return { packages, skipped };
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === 'sdk') continue;
    const pkgDir = join(dir, entry.name);
    let pkg: unknown;
    try {
      pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
    } catch {
      skipped.push({ dir: pkgDir, reason: 'no readable package.json' });
      continue;
    }
    const checked = validateManifest(pkg);
    if (!checked.ok) {
      skipped.push({ dir: pkgDir, reason: `not a valid plugin: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` });
      continue;
    }
    if (!existsSync(join(pkgDir, checked.manifest.entry))) {
      skipped.push({ dir: pkgDir, reason: `${checked.manifest.entry} is not built (run npm run build)` });
      continue;
    }
    packages.push({ name: checked.name, version: checked.version, dir: pkgDir });
  }
  return { packages, skipped };
}

/**
 * Copies what the package publishes (package.json, README, LICENSE and its `files`) into a fresh
 * temporary directory, so signing (which rewrites package.json) never touches the source tree.
 */
export async function stagePackage(pkg: PluginPackage): Promise<string> {
  const stage = await mkdtemp(join(tmpdir(), 'opsloom-bootstrap-'));
  const manifest = JSON.parse(await readFile(join(pkg.dir, 'package.json'), 'utf8')) as { files?: unknown };
  const listed = Array.isArray(manifest.files) ? manifest.files.filter((f): f is string => typeof f === 'string') : ['.'];
  const always = (await readdir(pkg.dir)).filter((f) => /^(package\.json|readme(\..*)?|license(\..*)?)$/i.test(f));
  for (const item of new Set([...always, ...listed])) {
    const from = join(pkg.dir, item);
    if (!from.startsWith(pkg.dir + sep) || !existsSync(from)) continue;
    await cp(from, join(stage, item), { recursive: true, filter: (src) => !src.includes(`${sep}node_modules`) });
  }
  return stage;
}

/** Every regular file under `dir`, with paths relative to it (`/`-separated). */
export async function packageFiles(dir: string): Promise<TarballFile[]> {
  const out: TarballFile[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push({ path: relative(dir, full).split(sep).join('/'), data: await readFile(full) });
    }
  };
  await walk(dir);
  return out;
}
