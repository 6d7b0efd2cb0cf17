/**
 * Helpers for the registry scenario tests: plugin packages on disk in the bundle format the
 * runtime runs, and the real npm client pointed at a registry with a token.
 * @internal
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What {@link writePlugin} writes. */
export interface PluginSpec {
  name: string;
  version: string;
  capabilities?: string[];
  category?: string;
  keywords?: string[];
  title?: string;
  /** `definePlugin({...})` body; default: a poll-mode ticker (inputs `times`, `delayMs`). */
  body?: string;
  mode?: 'sync' | 'poll' | 'callback';
  /** Replace the whole package.json `opsloom` block (null omits it). */
  opsloom?: Record<string, unknown> | null;
}

/** A poll-mode plugin: answers `{ticks}` after `times` polls `delayMs` apart. */
export const TICKER = `{
  execute(inputs, ctx) { return ctx.poll({ n: 0, times: inputs.times || 1, delay: inputs.delayMs || 10 }, inputs.delayMs || 10); },
  poll(state, ctx) { const n = state.n + 1; return n >= state.times ? { ticks: n } : ctx.poll({ n: n, times: state.times, delay: state.delay }, state.delay); }
}`;

/** Writes a plugin package into `dir` and returns `dir`. */
export async function writePlugin(dir: string, spec: PluginSpec): Promise<string> {
  await mkdir(join(dir, 'dist'), { recursive: true });
  const plugin = {
    title: spec.title ?? 'Ticker', category: spec.category ?? 'demo', description: `${spec.title ?? 'Ticker'} counts polls`,
    runtime: 'isolate', entry: 'dist/plugin.js',
    inputs: { type: 'object', properties: { times: { type: 'integer' }, delayMs: { type: 'integer' } } },
    outputs: { type: 'object', properties: { ticks: { type: 'integer' } } },
    mode: spec.mode ?? 'poll', capabilities: spec.capabilities ?? [], limits: { memoryMb: 32, timeoutMs: 5000 },
  };
  const pkg: Record<string, unknown> = {
    name: spec.name, version: spec.version, description: 'A test plugin', license: 'Apache-2.0', files: ['dist'],
    keywords: spec.keywords ?? ['opsloom-plugin', 'demo'],
  };
  if (spec.opsloom !== null) pkg.opsloom = spec.opsloom ?? { plugin };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(dir, 'README.md'), `# ${spec.name}\n\nCounts polls.\n`);
  await writeFile(join(dir, 'dist', 'plugin.js'), `var __opsloomPlugin = definePlugin(${spec.body ?? TICKER});\n`);
  return dir;
}

/** Output of one npm run. */
export interface NpmResult { code: number; stdout: string; stderr: string }

/** Runs the real npm client against `registryUrl` with a token, isolated from the user's npm config. */
export async function npm(args: string[], cwd: string, registryUrl: string, token: string | undefined): Promise<NpmResult> {
  const home = await mkdtemp(join(tmpdir(), 'opsloom-npmrc-'));
  const userconfig = join(home, '.npmrc');
  await writeFile(userconfig, `registry=${registryUrl}\n${token ? `${registryUrl.replace(/^https?:/, '')}:_authToken=${token}\n` : ''}`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  try {
    return await new Promise<NpmResult>((resolve) => {
      execFile('npm', [...args, '--registry', registryUrl, '--userconfig', userconfig, '--cache', join(home, 'cache'), '--no-audit', '--no-fund', '--no-update-notifier'],
        { cwd, env, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }));
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Plain `npm publish` (lifecycle scripts off, as signed packages require). */
export function npmPublish(dir: string, registryUrl: string, token: string | undefined): Promise<NpmResult> {
  return npm(['publish', '--ignore-scripts'], dir, registryUrl, token);
}

/** Polls `check` every 20 ms until it returns a value (or fails after `timeoutMs` with `what`). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
