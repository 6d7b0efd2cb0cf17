import { validateRemoteSources, type RemoteSource } from '@opsloom/plugin-registry';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { ProjectService } from '../project/project-service.js';
import type { SecretCipher } from '../secrets/secret-cipher.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import { OPSLOOM_SCOPE } from './publish-rights.js';
import type { RemoteSourceStore, StoredRemoteSource } from './remote-source-store.js';

/** What a project asks for when adding a remote source. */
export interface RemoteSourceInput {
  /** Uplink name, unique on this server: lower case letters, digits, `-`, `_`. */
  name: string;
  url: string;
  /** Bearer token for the remote registry; stored sealed, never returned. */
  token?: string;
  /** Scopes the remote serves, e.g. `['@orgb']`. */
  scopes: string[];
  /** Seconds a fetched packument is trusted before the remote is asked again. @default 120 */
  maxAgeSeconds?: number;
}

/** A remote source as the API shows it (the credential only as a flag). */
export interface RemoteSourceView {
  id: string;
  projectId: string;
  name: string;
  url: string;
  hasToken: boolean;
  scopes: string[];
  maxAgeSeconds: number | null;
  createdBy: string;
  createdAt: number;
}

const view = (s: StoredRemoteSource): RemoteSourceView => ({
  id: s.id, projectId: s.projectId, name: s.name, url: s.url, hasToken: s.tokenSealed !== null, scopes: s.scopes,
  maxAgeSeconds: s.maxAgeSeconds, createdBy: s.createdBy, createdAt: s.createdAt,
});

const binding = (name: string): string => `uplink:${name}`;

/**
 * Other organisations' registries a project imports plugins from. Each becomes a Verdaccio uplink
 * (proxied and cached, so imported plugins keep installing when the remote is down); its token is
 * sealed with AES-256-GCM bound to the source's name.
 */
export class RemoteSources {
  constructor(private readonly store: RemoteSourceStore, private readonly cipher: SecretCipher, private readonly projects: ProjectService) {}

  async list(projectId: string): Promise<RemoteSourceView[]> {
    return (await this.store.ofProject(projectId)).map(view);
  }

  /**
   * Validates and stores a source. Scopes may not be `@opsloom`, a project's own scope (those are
   * published here), nor a scope another source serves already.
   * @returns every source, ready to become uplinks
   */
  async add(projectId: string, input: RemoteSourceInput, by: string): Promise<{ source: RemoteSourceView; uplinks: RemoteSource[] }> {
    for (const scope of input.scopes) {
      if (scope === OPSLOOM_SCOPE) throw new ValidationError(`scope ${scope} belongs to this server's standard plugins and cannot be imported`);
      const owner = await this.projects.get(scope.slice(1)).catch(() => undefined);
      if (owner) throw new ValidationError(`scope ${scope} is project ${owner.key}'s own publishing scope here; import the remote under another scope`);
    }
    const current = await this.uplinks();
    try {
      validateRemoteSources([...current, { name: input.name, url: input.url, scopes: input.scopes, ...(input.token ? { token: input.token } : {}), ...(input.maxAgeSeconds !== undefined ? { maxAgeSeconds: input.maxAgeSeconds } : {}) }]);
    } catch (err) {
      throw new ValidationError((err as Error).message);
    }
    const now = Date.now();
    const stored: StoredRemoteSource = {
      id: newId(), projectId, name: input.name, url: input.url.endsWith('/') ? input.url : `${input.url}/`,
      tokenSealed: input.token ? this.cipher.seal(input.token, binding(input.name)) : null, scopes: [...input.scopes],
      maxAgeSeconds: input.maxAgeSeconds ?? null, createdBy: by, createdAt: now, updatedAt: now,
    };
    try {
      await this.store.insert(stored);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a remote source named ${input.name} exists already`, 'remote_source_exists');
      throw err;
    }
    return { source: view(stored), uplinks: await this.uplinks() };
  }

  /** @returns the remaining sources, ready to become uplinks */
  async remove(projectId: string, name: string): Promise<RemoteSource[]> {
    const s = await this.store.byName(name);
    if (!s || s.projectId !== projectId) throw new NotFoundError('remote source', name);
    await this.store.delete(s.id);
    return this.uplinks();
  }

  async get(projectId: string, name: string): Promise<RemoteSourceView> {
    const s = await this.store.byName(name);
    if (!s || s.projectId !== projectId) throw new NotFoundError('remote source', name);
    return view(s);
  }

  /** Every source with its token opened: the registry's uplinks. */
  async uplinks(): Promise<RemoteSource[]> {
    return (await this.store.all()).map((s) => ({
      name: s.name, url: s.url, scopes: s.scopes,
      ...(s.tokenSealed ? { token: this.cipher.open(s.tokenSealed, binding(s.name)) } : {}),
      ...(s.maxAgeSeconds !== null ? { maxAgeSeconds: s.maxAgeSeconds } : {}),
    }));
  }

  /** The source serving a package's scope, or undefined for packages published here. */
  async originOf(packageName: string): Promise<string | undefined> {
    const scope = /^(@[^/]+)\//.exec(packageName)?.[1];
    if (!scope) return undefined;
    return (await this.store.all()).find((s) => s.scopes.includes(scope))?.name;
  }
}
