import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { readPackument } from './bounded-body.js';
import { compileRegistryOptions, type CompiledRegistryOptions, type RegistryOptions } from './options.js';
import { isPackageName, packagePathSegment, tarballFileName } from './package-name.js';
import { validateRemoteSources, type RemoteSource } from './remote-source.js';
import { listStoredPackages, type StoredPackage } from './storage.js';
import { warmPackage, type WarmResult } from './warm-cache.js';
import { createAuthPlugin, type ServiceIdentity } from './verdaccio/auth-plugin.js';
import { registerBridge, unregisterBridge } from './verdaccio/bridge.js';
import { buildVerdaccioConfig } from './verdaccio/config.js';
import { writePluginShims } from './verdaccio/plugin-shim.js';
import { createPublishGate } from './verdaccio/publish-gate.js';

/** An npm packument as the registry serves it. */
export interface Packument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
  time?: Record<string, string>;
  readme?: string;
  [field: string]: unknown;
}

/** A running embedded registry. */
export interface RegistryHandle {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:4873/`. */
  readonly url: string;
  readonly host: string;
  /** The real port (useful when started with port 0). */
  readonly port: number;
  readonly dataDir: string;
  /** Verdaccio's storage folder (packuments and tarballs). */
  readonly storageDir: string;
  /** The remote sources currently configured (tokens redacted). */
  remoteSources(): RemoteSource[];
  /** Replaces all remote sources; restarts the embedded Verdaccio on the same port. */
  setUplinks(sources: RemoteSource[]): Promise<void>;
  /** Adds or replaces (by name) one remote source; restarts Verdaccio. */
  addUplink(source: RemoteSource): Promise<void>;
  /** Removes a remote source; cached packages stay in storage. Restarts Verdaccio. */
  removeUplink(name: string): Promise<void>;
  /** Every package in storage, local and cached remote ones (for core's periodic reconcile). */
  listPackages(): Promise<StoredPackage[]>;
  /** The packument as clients see it (remote ones proxied), or undefined when unknown. */
  getPackument(name: string): Promise<Packument | undefined>;
  /** Where Verdaccio stores a version's tarball. */
  tarballPath(name: string, version: string): string;
  /**
   * Fetches a remote package (all versions, or the given ones) through this registry so its
   * packument and tarballs are cached, then checks each tarball is on disk and matches
   * `dist.integrity`. Call it when a remote plugin is imported so it survives the remote going down.
   */
  warmPackage(name: string, versions?: string[]): Promise<WarmResult>;
  /** Stops the server and releases the port. Idempotent. */
  close(): Promise<void>;
}

type RunServer = (config: Record<string, unknown>) => Promise<Server>;

let runServerFn: RunServer | undefined;
function loadRunServer(): RunServer {
  // Verdaccio is CommonJS whose typings declare another default; load it through require.
  runServerFn ??= (createRequire(import.meta.url)('verdaccio') as { runServer: RunServer }).runServer;
  return runServerFn;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

class EmbeddedRegistry implements RegistryHandle {
  readonly host: string;
  readonly dataDir: string;
  readonly storageDir: string;
  port = 0;
  #server: Server | undefined;
  #sources: RemoteSource[];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #instance = randomUUID();
  readonly #service: ServiceIdentity = { username: '$opsloom-registry', password: randomBytes(32).toString('hex') };

  constructor(readonly options: CompiledRegistryOptions) {
    this.host = options.host;
    this.dataDir = options.dataDir;
    this.storageDir = join(options.dataDir, 'storage');
    this.#sources = options.remoteSources;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/`;
  }

  async start(): Promise<void> {
    const onError = (err: unknown, context = 'auth'): void => this.options.logger.error({ err, context }, 'plugin registry callback failed');
    registerBridge(this.#instance, {
      auth: createAuthPlugin(this.options, this.#service, onError),
      gate: createPublishGate({
        maxBodyBytes: this.options.maxBodyBytes,
        limits: this.options.tarballLimits,
        onPublish: this.options.onPublish,
        onError,
      }),
    });
    await mkdir(this.storageDir, { recursive: true });
    await writePluginShims(join(this.dataDir, 'plugins'));
    try {
      await this.#boot(this.options.port);
    } catch (err) {
      unregisterBridge(this.#instance);
      throw err;
    }
  }

  async #boot(port: number): Promise<void> {
    const config = buildVerdaccioConfig({
      instance: this.#instance,
      dataDir: this.dataDir,
      storageDir: this.storageDir,
      pluginsDir: join(this.dataDir, 'plugins'),
      remoteSources: this.#sources,
      tokenTtl: this.options.tokenTtl,
      maxBodyBytes: this.options.maxBodyBytes,
      logLevel: this.options.logLevel,
    });
    let server: Server;
    try {
      server = await loadRunServer()(config);
      this.port = await listen(server, port, this.host);
    } catch (err) {
      throw new RegistryError(RegistryErrorCode.StartFailed, `the plugin registry could not start on ${this.host}:${port}: ${(err as Error).message}`, { port });
    }
    this.#server = server;
  }

  #serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  remoteSources(): RemoteSource[] {
    return this.#sources.map((s) => ({ ...s, scopes: [...s.scopes], ...(s.token ? { token: '***' } : {}) }));
  }

  setUplinks(sources: RemoteSource[]): Promise<void> {
    const valid = validateRemoteSources(sources);
    return this.#serialised(async () => {
      if (this.#closed) throw new RegistryError(RegistryErrorCode.StartFailed, 'the registry is closed');
      const previous = this.#sources;
      if (this.#server) await closeServer(this.#server);
      this.#server = undefined;
      this.#sources = valid;
      try {
        await this.#boot(this.port);
      } catch (err) {
        // Keep serving with the previous configuration rather than leaving the port dark.
        this.#sources = previous;
        await this.#boot(this.port);
        throw err;
      }
    });
  }

  addUplink(source: RemoteSource): Promise<void> {
    return this.setUplinks([...this.#sources.filter((s) => s.name !== source.name), source]);
  }

  removeUplink(name: string): Promise<void> {
    return this.setUplinks(this.#sources.filter((s) => s.name !== name));
  }

  listPackages(): Promise<StoredPackage[]> {
    return listStoredPackages(this.storageDir);
  }

  /** Basic credentials of the registry's own read-only identity. */
  serviceAuthorization(): string {
    return `Basic ${Buffer.from(`${this.#service.username}:${this.#service.password}`).toString('base64')}`;
  }

  async getPackument(name: string): Promise<Packument | undefined> {
    if (!isPackageName(name)) throw new RegistryError(RegistryErrorCode.NotFound, `"${name}" is not a valid npm package name`);
    const res = await fetch(new URL(packagePathSegment(name), this.url), { headers: { authorization: this.serviceAuthorization(), accept: 'application/json' } });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new RegistryError(RegistryErrorCode.RequestFailed, `registry answered ${res.status} for ${name}: ${(await res.text()).slice(0, 300)}`, { status: res.status });
    return readPackument<Packument>(res, name);
  }

  tarballPath(name: string, version: string): string {
    if (!isPackageName(name)) throw new RegistryError(RegistryErrorCode.NotFound, `"${name}" is not a valid npm package name`);
    return join(this.storageDir, name, tarballFileName(name, version));
  }

  warmPackage(name: string, versions?: string[]): Promise<WarmResult> {
    return warmPackage(this, name, versions);
  }

  close(): Promise<void> {
    return this.#serialised(async () => {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#server) await closeServer(this.#server);
      this.#server = undefined;
      unregisterBridge(this.#instance);
    });
  }
}

/**
 * Starts an embedded Verdaccio whose users are Opsloom users, which refuses non-plugin packages
 * at publish, notifies `onPublish`, and proxies/caches remote organisations' registries.
 * Used by `opsloom up` (embedded) and `opsloom registry` (standalone).
 * @example
 * const registry = await startRegistry({
 *   dataDir: './data/registry', port: 4873,
 *   authenticate: (u, p) => users.check(u, p),          // → {groups} | null
 *   allowPublish: (u, pkg) => roles.canPublish(u, pkg),
 *   onPublish: (name, version) => catalog.index(name, version),
 * });
 * console.log(registry.url); await registry.close();
 */
export async function startRegistry(options: RegistryOptions): Promise<RegistryHandle> {
  const registry = new EmbeddedRegistry(compileRegistryOptions({ ...options, dataDir: resolve(options.dataDir) }));
  await registry.start();
  return registry;
}

export type { EmbeddedRegistry };
