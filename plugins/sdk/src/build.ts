import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { KitError, readProject, type PluginProject } from './project.js';

/** Where build reads sources, by convention. */
export const SOURCES = { isolate: 'src/plugin.ts', wasm: 'assembly/index.ts' } as const;

/**
 * Builds a plugin into its manifest `entry`: an isolate plugin is bundled by esbuild into one
 * script that leaves the plugin in `__opsloomPlugin`; a wasm plugin is compiled by asc with a
 * memory maximum equal to `limits.memoryMb`.
 */
export async function buildPlugin(dir: string, log: (line: string) => void = () => {}): Promise<PluginProject> {
  const project = await readProject(dir);
  const { manifest } = project;
  const source = join(dir, SOURCES[manifest.runtime]);
  if (!existsSync(source)) throw new KitError(`no ${SOURCES[manifest.runtime]}: a ${manifest.runtime} plugin's source lives there`);
  const out = join(dir, manifest.entry);
  await mkdir(dirname(out), { recursive: true });
  if (manifest.runtime === 'isolate') {
    const result = await esbuild({
      entryPoints: [source],
      outfile: out,
      bundle: true,
      format: 'iife',
      globalName: '__opsloomPlugin',
      // The isolate has no Node: a plugin importing 'fs' or 'http' fails here, not at run time.
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      minify: false,
      logLevel: 'silent',
      // The package's own dist directory: `@opsloom/plugin-sdk` resolves to its index, `/jobs` to jobs/index.
      alias: { '@opsloom/plugin-sdk': fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '') },
    }).catch((err: Error) => {
      throw new KitError(`esbuild failed:\n${err.message}`);
    });
    for (const w of result.warnings) log(`warning: ${w.text}`);
  } else {
    const asc = (await import('assemblyscript/asc')).default;
    const pages = Math.floor((manifest.limits.memoryMb * 1024 * 1024) / 65536);
    let stderr = '';
    const { error } = await asc.main(
      [source, '-o', out, '-O3', '--runtime', 'incremental', '--use', 'abort=', '--maximumMemory', String(pages)],
      { stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => ((stderr += String(s)), true) } } as never,
    );
    if (error) throw new KitError(`asc failed: ${error.message}\n${stderr}`);
  }
  log(`built ${project.name}@${project.version} → ${manifest.entry}`);
  return project;
}
