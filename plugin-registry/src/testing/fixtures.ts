/**
 * Helpers for this package's tests and benchmark: plugin packages on disk, the real npm client,
 * and a user table standing in for core's user service behind the auth bridge.
 * @internal
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuthDelegate } from '../verdaccio/auth-plugin.js';

/** A fresh directory under the OS temp dir. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `opsloom-reg-${prefix}-`));
}

/** Removes a directory tree, ignoring absence. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A valid `opsloom.plugin` block. */
export function validManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Hello',
    category: 'demo',
    description: 'Says hello',
    runtime: 'isolate',
    entry: 'dist/index.js',
    inputs: { type: 'object', properties: { who: { type: 'string' } } },
    outputs: { type: 'object', properties: { greeting: { type: 'string' } } },
    mode: 'sync',
    capabilities: [],
    limits: { memoryMb: 32, timeoutMs: 1000 },
    ...overrides,
  };
}

/** Options of {@link writePluginPackage}. */
export interface PluginPackageSpec {
  name: string;
  version: string;
  /** Replaces the whole package.json `opsloom` block; `null` omits it. */
  opsloom?: Record<string, unknown> | null;
  keywords?: string[];
  /** Extra files, path → content. */
  files?: Record<string, string>;
}

/** Writes a plugin package (package.json, dist/index.js, README.md) into `dir`. */
export async function writePluginPackage(dir: string, spec: PluginPackageSpec): Promise<string> {
  await mkdir(join(dir, 'dist'), { recursive: true });
  const pkg: Record<string, unknown> = {
    name: spec.name,
    version: spec.version,
    description: 'A test plugin',
    keywords: spec.keywords ?? ['opsloom-plugin', 'demo'],
    license: 'Apache-2.0',
    files: ['dist'],
  };
  if (spec.opsloom !== null) pkg.opsloom = spec.opsloom ?? { plugin: validManifest() };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(dir, 'README.md'), `# ${spec.name}\n`);
  await writeFile(join(dir, 'dist', 'index.js'), 'export default { execute: (i) => ({ greeting: "hi " + i.who }) };\n');
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Output of one npm run. */
export interface NpmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real npm client against a registry with a token, isolated from the user's config. */
export async function runNpm(args: string[], cwd: string, registryUrl: string, token: string | undefined): Promise<NpmResult> {
  const home = await tempDir('npmrc');
  const hostPath = registryUrl.replace(/^https?:/, '');
  const userconfig = join(home, '.npmrc');
  await writeFile(userconfig, `registry=${registryUrl}\n${token ? `${hostPath}:_authToken=${token}\n` : ''}`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  try {
    return await new Promise<NpmResult>((resolve) => {
      execFile('npm', [...args, '--registry', registryUrl, '--userconfig', userconfig, '--cache', join(home, 'cache'), '--no-audit', '--no-fund', '--no-update-notifier'],
        { cwd, env, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }));
    });
  } finally {
    await removeDir(home);
  }
}

/** `npm publish` of the package in `dir` (lifecycle scripts off, as signed packages require). */
export function npmPublish(dir: string, registryUrl: string, token: string | undefined): Promise<NpmResult> {
  return runNpm(['publish', '--ignore-scripts'], dir, registryUrl, token);
}

/** A user in {@link userTable}. */
export interface TestUser {
  password: string;
  groups?: string[];
  /** Scopes (e.g. `@orga`) this user may publish to. */
  publishScopes?: string[];
}

/** An auth delegate over a fixed user table, standing in for core's user service. */
export function userTable(users: Record<string, TestUser>): RegistryAuthDelegate & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async authenticate(username, password) {
      calls.push(`authenticate:${username}`);
      const user = Object.hasOwn(users, username) ? users[username] : undefined;
      return user && user.password === password ? { groups: user.groups ?? [] } : null;
    },
    async allowPublish(username, packageName) {
      calls.push(`allowPublish:${username}:${packageName}`);
      const user = Object.hasOwn(users, username) ? users[username] : undefined;
      return (user?.publishScopes ?? []).some((scope) => packageName.startsWith(`${scope}/`));
    },
  };
}
