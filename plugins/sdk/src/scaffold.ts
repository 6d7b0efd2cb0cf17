import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KitError } from './project.js';
import { scaffoldFiles, type ScaffoldMode } from './templates.js';

/** The SDK's own version, written into new plugins' devDependencies. */
export const SDK_VERSION = '0.1.0';

/**
 * Creates a plugin package in `dir` (which must be empty or absent): a TypeScript isolate plugin,
 * or with `wasm` an AssemblyScript one, each with a `plugin.test.json`; a sync greeter, or with
 * mode `poll` a plugin that starts, polls and cancels a remote job.
 */
export async function initPlugin(dir: string, options: { wasm?: boolean; name?: string; mode?: ScaffoldMode } = {}): Promise<string[]> {
  const target = resolve(dir);
  if (existsSync(target) && (await readdir(target)).length > 0) throw new KitError(`${target} is not empty`);
  const name = options.name ?? `opsloom-plugin-${basename(target).toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;
  const files = scaffoldFiles({ name, wasm: options.wasm ?? false, sdkVersion: SDK_VERSION, mode: options.mode ?? 'sync' });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), content);
  }
  return Object.keys(files);
}
