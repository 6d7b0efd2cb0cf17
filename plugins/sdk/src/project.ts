import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateManifest, type PluginManifest } from '@opsloom/plugin-runtime/manifest';

/** A plugin package on disk, its package.json validated. */
export interface PluginProject {
  dir: string;
  name: string;
  version: string;
  manifest: PluginManifest;
}

/** Thrown by the kit with a message for the author; the CLI prints it and exits 1. */
export class KitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KitError';
  }
}

/** Reads and validates `<dir>/package.json`. */
export async function readProject(dir: string): Promise<PluginProject> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch (err) {
    throw new KitError(`cannot read ${join(dir, 'package.json')}: ${(err as Error).message}`);
  }
  const r = validateManifest(json);
  if (!r.ok) throw new KitError(`package.json is not a valid plugin:\n${r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  return { dir, name: r.name, version: r.version, manifest: r.manifest };
}
