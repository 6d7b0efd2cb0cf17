import { RegistryError, RegistryErrorCode, installVerified } from '@opsloom/plugin-registry';
import type { Logger } from 'pino';
import semver from 'semver';
import { AppError, NotFoundError, UnavailableError } from '../errors.js';
import type { PluginService } from '../plugin/plugin-service.js';
import type { InstalledPlugin, PluginStatus } from '../plugin/plugin-store.js';
import type { CatalogDetail, CatalogQuery, CatalogRow, CatalogStore } from './catalog-store.js';
import type { RegistryLink } from './registry-link.js';
import { RegistryProblem, registryCall } from './registry-problem.js';
import type { RemoteSources } from './remote-sources.js';
import type { TrustStore } from './trust-store.js';

/** Options of {@link MarketplaceService.install}. */
export interface MarketplaceInstallOptions {
  /**
   * An administrator explicitly approves this version although it is unsigned or signed by an
   * organisation that is not pinned. A wrong signature is refused regardless.
   * @default false
   */
  allowUnsigned?: boolean;
  /**
   * Approve the version's capabilities in the same call: those of the contents this install
   * verified (the approval is recorded with their integrity), never of contents installed later.
   * @default false
   */
  approve?: boolean;
  /**
   * The integrity of the contents the operator reviewed (as the catalog lists it). When set, the
   * install is refused, with nothing installed or approved, if the registry serves other contents.
   */
  integrity?: string;
  /** Status to install with. @default the previous status of this version, else `online` */
  status?: PluginStatus;
}

/**
 * Thrown when an install names the contents the operator reviewed and the registry now serves
 * others: installing (and approving) them would give the operator code they did not see.
 */
export class ReviewOutdatedError extends AppError {
  readonly status = 409;
  readonly code = 'plugin_review_outdated';
  constructor(readonly plugin: string, readonly reviewed: string, readonly served: string) {
    super(`the registry now serves ${plugin} with other contents (integrity ${served}) than those reviewed (integrity ${reviewed}); review it again before installing`, { plugin, reviewed, served });
  }
}

/** How the capabilities of an installed version stand after install. */
export type ApprovalOutcome =
  | { state: 'approved'; by: string | null }
  /** The previous approved version already allowed every capability this one declares. */
  | { state: 'inherited'; from: string; by: string | null }
  /** An operator must approve; `added` lists what the previous approved version did not have. */
  | { state: 'required'; capabilities: string[]; added: string[]; previous: string | null };

/** A catalog version with what is installed of it. */
export interface MarketplaceVersion extends CatalogRow {
  installed: { status: PluginStatus; approvedCapabilities: string[] | null; signatureState: string; installedAt: number } | null;
}

/** Dependencies of {@link MarketplaceService}. */
export interface MarketplaceDeps {
  catalog: CatalogStore;
  trust: TrustStore;
  plugins: PluginService;
  sources: RemoteSources;
  /** The registry this process reaches, or undefined when the registry is off. */
  link(): Promise<RegistryLink | undefined>;
  /** `<dataDir>/plugin-store`: the same content-addressed store the plugin service runs from. */
  storeDir: string;
  log: Logger;
}

/**
 * The marketplace: search and detail from the catalog, and verified installation from the
 * registry (integrity + organisation signature) into the plugin store, with the rule that a
 * version needs a fresh capability approval when it asks for more than the previous approved one.
 */
export class MarketplaceService {
  constructor(private readonly deps: MarketplaceDeps) {}

  search(query: CatalogQuery) {
    return this.deps.catalog.search(query);
  }

  /** The latest version's detail (readme, schemas) and every version with its install state. */
  async detail(name: string): Promise<CatalogDetail & { versions: MarketplaceVersion[] }> {
    const latest = await this.deps.catalog.latestVersion(name);
    if (!latest) throw new NotFoundError('marketplace plugin', name);
    return this.versionDetail(name, latest);
  }

  /** One version's detail, with every version of the package and what is installed. */
  async versionDetail(name: string, version: string): Promise<CatalogDetail & { versions: MarketplaceVersion[] }> {
    const entry = await this.deps.catalog.get(name, version);
    if (!entry) throw new NotFoundError('marketplace plugin version', `${name}@${version}`);
    const installed = new Map((await this.deps.plugins.versionsOf(name)).map((p) => [p.version, p]));
    const versions = (await this.deps.catalog.versions(name)).map((v): MarketplaceVersion => {
      const p = installed.get(v.version);
      return { ...v, installed: p ? { status: p.status, approvedCapabilities: p.approvedCapabilities, signatureState: p.signatureState, installedAt: p.installedAt } : null };
    });
    return { ...entry, versions };
  }

  /**
   * Downloads, verifies and installs a version. Remote packages are pulled into the registry's
   * cache first, so they keep installing when their registry is down.
   * @throws RegistryProblem (`plugin_unsigned`, `plugin_untrusted_org` → 409; tampering, or a
   * signature the catalog found invalid, → 422)
   * @throws ReviewOutdatedError when `opts.integrity` names other contents than the registry serves
   */
  async install(name: string, version: string, opts: MarketplaceInstallOptions, by: string): Promise<{ plugin: InstalledPlugin; approval: ApprovalOutcome }> {
    const link = await this.deps.link();
    if (!link) throw new UnavailableError('the plugin registry is off on this server: set OPSLOOM_REGISTRY=embedded, or run a shared one with "opsloom registry"');
    if (await this.deps.sources.originOf(name)) {
      await link.warm(name, semver.valid(version) ? [version] : undefined).catch((err: unknown) => {
        // The cache may still hold it (the remote is down); the install below decides.
        this.deps.log.warn({ err, name, version }, 'could not refresh a remote plugin in the registry cache');
      });
    }
    const verified = await registryCall(async () => installVerified({
      registryUrl: link.url, token: await link.token(), name, version, storeDir: this.deps.storeDir, trust: this.deps.trust,
      allowUnsigned: opts.allowUnsigned ?? false, logger: this.deps.log,
    }));
    if (opts.integrity !== undefined && verified.integrity !== opts.integrity) {
      throw new ReviewOutdatedError(`${name}@${verified.version}`, opts.integrity, verified.integrity);
    }
    // The installer only asks for pinned keys, so for an organisation without one it cannot tell a
    // forged signature from an untrusted one; the catalog checked it against every known key.
    if (verified.signatureState === 'unsigned-approved' && (await this.deps.catalog.get(name, verified.version))?.signatureState === 'invalid') {
      throw new RegistryProblem(new RegistryError(RegistryErrorCode.SignatureInvalid,
        `${name}@${verified.version}: its signature does not verify with a key of the trust store, or does not cover its manifest; it cannot be approved`,
        { name, version: verified.version }));
    }
    let plugin = await this.deps.plugins.installFromDirectory(verified.dir, {
      source: `registry:${link.url}`, org: verified.org ?? null, claimedOrg: verified.claimedOrg ?? null, signatureState: verified.signatureState, integrity: verified.integrity,
      ...(opts.status ? { status: opts.status } : {}), ...(opts.approve ? { approvedBy: by } : {}),
    });
    await this.deps.catalog.countDownload(name, verified.version).catch(() => undefined);
    const approval = await this.settleApproval(plugin);
    if (approval.state === 'inherited') plugin = await this.deps.plugins.approve(name, plugin.version, plugin.integrity, approval.by ?? by);
    return { plugin, approval };
  }

  /**
   * Decides whether a freshly installed version inherits the approval of the previous one. Only a
   * version from the same source inherits: signed by the same organisation, or unsigned like it. An
   * approval given to one organisation's code is not handed to a version it did not sign. A
   * disabled previous version hands nothing on: disabling is the emergency stop, and the version
   * that follows one must be reviewed afresh rather than slip past it on the approval of older ones.
   */
  private async settleApproval(plugin: InstalledPlugin): Promise<ApprovalOutcome> {
    const wanted = plugin.manifest.capabilities;
    if (plugin.approvedCapabilities !== null && wanted.every((c) => plugin.approvedCapabilities!.includes(c))) {
      return { state: 'approved', by: plugin.approvedBy };
    }
    const previous = (await this.deps.plugins.versionsOf(plugin.name))
      .filter((p) => p.version !== plugin.version && p.approvedCapabilities !== null && semver.valid(p.version) && semver.lt(p.version, plugin.version))
      .filter((p) => p.org === plugin.org && p.claimedOrg === plugin.claimedOrg && p.signatureState === plugin.signatureState)
      .sort((a, b) => semver.rcompare(a.version, b.version))[0];
    if (previous?.status === 'disabled') return { state: 'required', capabilities: wanted, added: wanted, previous: null };
    const allowed = new Set(previous?.approvedCapabilities ?? []);
    const added = wanted.filter((c) => !allowed.has(c));
    if (previous && added.length === 0) return { state: 'inherited', from: previous.version, by: previous.approvedBy };
    return { state: 'required', capabilities: wanted, added, previous: previous?.version ?? null };
  }
}
