/**
 * Builds the browser bundle with esbuild: `src/app/main.ts` → `<outDir>/app.js`, plus the static
 * `index.html` and `app.css`. Used by `build.mjs` and by the end-to-end test (into a temp dir).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The portal package root (two levels above dist/build). */
export const PORTAL_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** Options of {@link buildPortal}. */
export interface BuildOptions {
  /** Where to write the files. @default <portal>/dist/public */
  outDir?: string;
  /** Minify the bundle. @default true */
  minify?: boolean;
}

/**
 * Bundles the portal and returns the output directory and the size of app.js in bytes.
 *
 * @example
 * const { outDir } = await buildPortal({ outDir: mkdtempSync(join(tmpdir(), 'portal-')) });
 */
export async function buildPortal(o: BuildOptions = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = o.outDir ?? join(PORTAL_ROOT, 'dist', 'public');
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(PORTAL_ROOT, 'src', 'app', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: o.minify ?? true,
    sourcemap: true,
    outfile: join(outDir, 'app.js'),
    tsconfig: join(PORTAL_ROOT, 'tsconfig.json'),
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  for (const f of ['index.html', 'app.css']) copyFileSync(join(PORTAL_ROOT, 'static', f), join(outDir, f));
  const bytes = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('app.js')).reduce((sum, [, out]) => sum + out.bytes, 0);
  return { outDir, bytes };
}
