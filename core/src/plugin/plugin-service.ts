import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import semver from 'semver';
import { PluginRuntime, type HostServices, type PluginPackage } from '@opsloom/plugin-runtime';
import { validateManifest } from '@opsloom/plugin-runtime/manifest';
import { AppError, NotFoundError, StateError, ValidationError } from '../errors.js';
import type { JsonValue } from '../model/index.js';
import type { PluginGateway, PluginInvocation, PluginOutcome, PluginRef } from '../flow/plugin-catalog.js';
import { TtlCache } from '../store/ttl-cache.js';
import type { InstalledPlugin, PluginStatus, PluginStore } from './plugin-store.js';

/** Thrown when a task would run a plugin version that cannot run (missing, disabled, unapproved). */
export class PluginNotRunnableError extends AppError {
  readonly status = 409;
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Thrown when an approval names contents other than those installed now: the version was
 * reinstalled after the operator reviewed it, so the approval would land on code nobody saw.
 */
export class ApprovalOutdatedError extends AppError {
  readonly status = 409;
  readonly code = 'plugin_approval_outdated';
  constructor(readonly plugin: string, readonly reviewed: string, readonly installed: string) {
    super(`${plugin} was reinstalled with other contents (integrity ${installed}) after it was reviewed (integrity ${reviewed}); review it again before approving`, { plugin, reviewed, installed });
  }
}

export interface InstallOptions {
  /** Where it came from: `registry:<url>`, `local:<dir>`, `standard`. */
  source: string;
  /** The organisation whose pinned key verified the signature. */
  org?: string | null;
  /** The organisation an unverified signature names; recorded apart so it never reads as verified. */
  claimedOrg?: string | null;
  signatureState?: string;
  integrity?: string;
  status?: PluginStatus;
  /** Approve the declared capabilities at once (standard plugins, an admin's explicit install). */
  approvedBy?: string;
}

/**
 * Installed plugins: the store's index, their status and capability approvals, and the one door
 * through which the engine runs them (the sandboxed runtime, with host services gated by capability).
 */
export class PluginService implements PluginGateway {
  private readonly packages = new Map<string, PluginPackage>();
  /**
   * Installed versions as every plugin step reads them. A change here drops the entry at once and
   * is announced through `onChange` so other core processes drop theirs; the expiry bounds what a
   * lost announcement could leave stale.
   */
  private readonly installed = new TtlCache<InstalledPlugin | undefined>(5_000);
  /** Called with `name@version` after a change, to tell the other core processes. */
  onChange: (key: string) => void = () => undefined;

  constructor(private readonly store: PluginStore, private readonly runtime: PluginRuntime, private readonly storeDir: string, private readonly hostServices: () => HostServices) {}

  /** Forgets what was cached about a version another process changed. */
  forget(key: string): void {
    this.installed.delete(key);
    this.packages.delete(key);
  }

  private changed(name: string, version: string): void {
    this.forget(`${name}@${version}`);
    this.onChange(`${name}@${version}`);
  }

  private cached(name: string, version: string): Promise<InstalledPlugin | undefined> {
    return this.installed.get(`${name}@${version}`, () => this.store.get(name, version));
  }

  /**
   * Installs an unpacked plugin package directory: validates its manifest, copies it into the
   * content-addressed store (unless it is there already) and indexes it.
   */
  async installFromDirectory(dir: string, opts: InstallOptions): Promise<InstalledPlugin> {
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) throw new ValidationError(`${dir} has no package.json`);
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name: string; version: string; description?: string };
    const checked = validateManifest(pkg);
    if (!checked.ok) throw new ValidationError(`${pkg.name ?? dir} is not a valid plugin: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, checked.errors);
    const entry = this.entryPath(dir, checked.manifest.entry);
    const code = readFileSync(entry);
    const integrity = opts.integrity ?? `sha512-${createHash('sha512').update(readFileSync(pkgPath)).update(code).digest('base64')}`;
    const target = dir.startsWith(this.storeDir + sep) ? dir : join(this.storeDir, createHash('sha256').update(integrity).digest('hex'), 'package');
    if (target !== dir && !existsSync(target)) {
      mkdirSync(target, { recursive: true });
      cpSync(dir, target, { recursive: true, dereference: false, filter: (src) => !src.includes(`${sep}node_modules${sep}`) });
    }
    const previous = await this.store.get(pkg.name, pkg.version);
    const now = Date.now();
    const plugin: InstalledPlugin = {
      name: pkg.name, version: pkg.version, status: opts.status ?? previous?.status ?? 'online', runtime: checked.manifest.runtime,
      title: checked.manifest.title, category: checked.manifest.category, description: checked.manifest.description ?? pkg.description ?? null,
      manifest: checked.manifest, integrity, dir: target, org: opts.org ?? null, claimedOrg: opts.claimedOrg ?? null, signatureState: opts.signatureState ?? 'unsigned-approved',
      approvedCapabilities: opts.approvedBy ? checked.manifest.capabilities : previous?.integrity === integrity ? previous.approvedCapabilities : null,
      approvedBy: opts.approvedBy ?? (previous?.integrity === integrity ? previous.approvedBy : null),
      approvedAt: opts.approvedBy ? now : previous?.integrity === integrity ? previous.approvedAt : null,
      source: opts.source, installedAt: previous?.installedAt ?? now,
    };
    await this.store.upsert(plugin);
    this.changed(plugin.name, plugin.version);
    return plugin;
  }

  list(filter: { status?: PluginStatus; category?: string; search?: string } = {}) {
    return this.store.list(filter);
  }

  /** Every installed version of one plugin (any status). */
  versionsOf(name: string): Promise<InstalledPlugin[]> {
    return this.store.versionsOf(name);
  }

  async get(name: string, version: string): Promise<InstalledPlugin> {
    const p = await this.store.get(name, version);
    if (!p) throw new NotFoundError('plugin version', `${name}@${version}`);
    return p;
  }

  async setStatus(name: string, version: string, status: PluginStatus): Promise<InstalledPlugin> {
    await this.get(name, version);
    await this.store.setStatus(name, version, status);
    this.changed(name, version);
    return this.get(name, version);
  }

  /**
   * Approves the declared capabilities of the version whose contents have `integrity`: the one the
   * operator reviewed. The store only writes while that integrity is still installed, so a reinstall
   * racing the approval cannot receive it.
   * @throws ApprovalOutdatedError when the version now holds other contents
   */
  async approve(name: string, version: string, integrity: string, by: string): Promise<InstalledPlugin> {
    const p = await this.get(name, version);
    if (p.integrity !== integrity || !(await this.store.approve(name, version, integrity, p.manifest.capabilities, by))) {
      throw new ApprovalOutdatedError(`${name}@${version}`, integrity, (await this.get(name, version)).integrity);
    }
    this.changed(name, version);
    return this.get(name, version);
  }

  /** The newest installed online version within `range`; an exact pin may also name an offline version. */
  async resolve(name: string, range: string): Promise<string | undefined> {
    const versions = await this.store.versionsOf(name);
    const exact = versions.find((v) => v.version === range);
    if (exact) return exact.status === 'disabled' ? undefined : exact.version;
    const online = versions.filter((v) => v.status === 'online').map((v) => v.version);
    return semver.maxSatisfying(online, range) ?? undefined;
  }

  /** The newest online version of a plugin, whatever range a template names. */
  async latest(name: string): Promise<string | undefined> {
    const online = (await this.store.versionsOf(name)).filter((v) => v.status === 'online').map((v) => v.version);
    return semver.maxSatisfying(online, '*') ?? undefined;
  }

  async inputProblems(name: string, range: string, nodes: readonly { known: Record<string, JsonValue>; open: ReadonlySet<string> }[]): Promise<string[][]> {
    const version = await this.resolve(name, range);
    const installed = version === undefined ? undefined : await this.cached(name, version);
    if (!installed) return nodes.map(() => []);
    try {
      return nodes.map(({ known, open }) => this.runtime.inputProblems(installed.manifest, known, open));
    } catch (err) {
      // A schema that does not compile fails every call of the version: say so where it is used.
      return nodes.map(() => [`plugin ${name}@${version}: ${(err as Error).message}`]);
    }
  }

  async assertRunnable(ref: PluginRef): Promise<void> {
    const p = await this.cached(ref.name, ref.version);
    if (!p) throw new PluginNotRunnableError('plugin_not_installed', `plugin ${ref.name}@${ref.version} is not installed`);
    if (p.status === 'disabled') throw new PluginNotRunnableError('plugin_disabled', `plugin ${ref.name}@${ref.version} was disabled by an operator`);
    const approved = new Set(p.approvedCapabilities ?? []);
    const missing = p.manifest.capabilities.filter((c) => !approved.has(c));
    if (p.approvedCapabilities === null || missing.length > 0) {
      throw new PluginNotRunnableError('capabilities_not_approved', `plugin ${ref.name}@${ref.version} needs an operator to approve its capabilities${missing.length ? `: ${missing.join(', ')}` : ''}`);
    }
  }

  async invoke(req: PluginInvocation): Promise<PluginOutcome> {
    const installed = await this.cached(req.plugin.name, req.plugin.version);
    if (!installed) return { status: 'failed', error: { code: 'plugin_not_installed', message: `plugin ${req.plugin.name}@${req.plugin.version} is not installed` }, logs: [] };
    if (installed.status === 'disabled') return { status: 'failed', error: { code: 'plugin_disabled', message: `plugin ${req.plugin.name}@${req.plugin.version} was disabled by an operator` }, logs: [] };
    const result = await this.runtime.invoke({
      plugin: this.load(installed), call: req.call, inputs: req.inputs, context: req.context, signal: req.signal,
      approvedCapabilities: installed.approvedCapabilities ?? [],
      ...(req.state !== undefined ? { state: req.state } : {}), ...(req.callbackData !== undefined ? { callbackData: req.callbackData } : {}),
    }, this.hostServices());
    return result as PluginOutcome & { outputs?: Record<string, JsonValue> };
  }

  private load(p: InstalledPlugin): PluginPackage {
    const key = `${p.name}@${p.version}`;
    let pkg = this.packages.get(key);
    if (!pkg) {
      const bytes = readFileSync(this.entryPath(p.dir, p.manifest.entry));
      pkg = { name: p.name, version: p.version, manifest: p.manifest, code: p.runtime === 'wasm' ? new Uint8Array(bytes) : bytes.toString('utf8') };
      this.packages.set(key, pkg);
    }
    return pkg;
  }

  /** The entry file inside the package directory; refuses paths that leave it. */
  private entryPath(dir: string, entry: string): string {
    const root = realpathSync(dir);
    const full = resolve(root, entry);
    if (!full.startsWith(root + sep)) throw new ValidationError(`the manifest entry ${entry} points outside the package`);
    if (!existsSync(full)) throw new StateError(`the plugin entry ${entry} is missing; build the plugin before publishing it`, 'plugin_entry_missing');
    return full;
  }
}
