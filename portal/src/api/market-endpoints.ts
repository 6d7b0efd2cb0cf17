/**
 * Typed calls of the plugin APIs: installed plugins (`/api/v1/plugins`), the marketplace
 * catalog and verified install (`/api/v1/marketplace`), the trust store and a project's remote
 * sources (`/api/v1/registry`). Scoped names are URL-encoded in paths (`%40acme%2Fping`).
 */
import { api, type ApiClient } from './client.js';

/** Version status of an installed plugin. */
export type PluginStatus = 'online' | 'offline' | 'disabled';

/**
 * Signature state of a plugin version against the trust store: `invalid` is a signature a known key
 * does not verify, or one that does not cover the listed manifest (forged or tampered).
 */
export type SignatureState = 'trusted' | 'untrusted' | 'invalid' | 'unsigned';

/** An installed plugin version (`GET /api/v1/plugins`). */
export interface InstalledPlugin {
  name: string;
  version: string;
  status: PluginStatus;
  runtime: string;
  title: string;
  category: string;
  description: string | null;
  mode: string;
  capabilities: string[];
  approvedCapabilities: string[] | null;
  approvedBy: string | null;
  approvedAt: string | null;
  /** Digest of the installed contents; an approval names it so a reinstall in between is refused. */
  integrity: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** Set only when a pinned key verified the signature. */
  org: string | null;
  /** The organisation an unverified signature names: a claim, not verified. */
  claimedOrg: string | null;
  signatureState: string;
  source: string;
  installedAt: string;
}

/** A published version in the catalog (`GET /api/v1/marketplace/plugins`). */
export interface CatalogItem {
  name: string;
  version: string;
  title: string;
  category: string;
  description: string | null;
  keywords: string[];
  runtime: string;
  mode: string;
  capabilities: string[];
  /** Set only when a pinned key verifies the signature (`signature.state` is `trusted`). */
  org: string | null;
  /** The organisation an untrusted or invalid signature names: a claim, not verified. */
  claimedOrg: string | null;
  signature: { state: SignatureState; org: string | null; keyId: string | null };
  origin: string;
  remote: boolean;
  integrity: string | null;
  latest: boolean;
  downloads?: number;
  publishedAt: string;
}

/** One version of a catalog plugin with what is installed of it. */
export interface CatalogVersion {
  version: string;
  publishedAt: string;
  latest: boolean;
  capabilities: string[];
  /** Digest of the contents the catalog lists; an install names it so other contents are refused. */
  integrity: string | null;
  signature: { state: SignatureState; org: string | null; keyId: string | null };
  installed: { status: PluginStatus; approvedCapabilities: string[] | null; signatureState: string; installedAt: string } | null | false;
}

/** A plugin's page (`GET /api/v1/marketplace/plugins/:name`). */
export interface CatalogDetail extends CatalogItem {
  readme: string | null;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  versions: CatalogVersion[];
}

/** Filters of the catalog search. */
export interface CatalogQuery {
  q?: string;
  category?: string;
  capability?: string;
  runtime?: 'isolate' | 'wasm' | '';
  /** Signed by this organisation and verified by one of its pinned keys. */
  org?: string;
  /** Naming this organisation in a signature no pinned key verifies: a claim. */
  claimedOrg?: string;
  signature?: SignatureState | '';
  page?: number;
  pageSize?: number;
}

/** How capabilities stand after an install. */
export type ApprovalOutcome =
  | { state: 'approved'; by: string | null }
  | { state: 'inherited'; from: string; by: string | null }
  | { state: 'required'; capabilities: string[]; added: string[]; previous: string | null };

/** A key of the trust store. */
export interface TrustedKey {
  org: string;
  keyId: string;
  publicKey: string;
  pinned: boolean;
  note: string | null;
  addedBy: string | null;
  addedAt: string;
}

/** Another organisation's registry a project imports from. */
export interface RemoteSource {
  id: string;
  name: string;
  url: string;
  hasToken: boolean;
  scopes: string[];
  maxAgeSeconds: number | null;
  createdBy: string;
  createdAt: string;
}

const seg = encodeURIComponent;
const ref = (name: string, version: string): string => `${seg(name)}/versions/${seg(version)}`;
const p = (project: string): string => `/api/v1/projects/${seg(project)}`;

/** The plugin, marketplace and registry calls, bound to one client. */
export function marketEndpoints(client: ApiClient = api) {
  return {
    installed: (q: { status?: PluginStatus | ''; category?: string; search?: string } = {}) =>
      client.get<{ items: InstalledPlugin[] }>('/api/v1/plugins', { query: q }),
    installedVersion: (name: string, version: string) => client.get<InstalledPlugin>(`/api/v1/plugins/${ref(name, version)}`),
    setStatus: (name: string, version: string, status: PluginStatus) => client.post<InstalledPlugin>(`/api/v1/plugins/${ref(name, version)}/status`, { status }),
    /** Approves the contents with `integrity` (those the operator reviewed); 409 when reinstalled since. */
    approve: (name: string, version: string, integrity: string) => client.post<InstalledPlugin>(`/api/v1/plugins/${ref(name, version)}/approve`, { integrity }),

    search: (q: CatalogQuery) => client.get<{ items: CatalogItem[]; total: number; page: number; pageSize: number }>('/api/v1/marketplace/plugins', { query: { ...q } }),
    detail: (name: string) => client.get<CatalogDetail>(`/api/v1/marketplace/plugins/${seg(name)}`),
    versionDetail: (name: string, version: string) => client.get<CatalogDetail>(`/api/v1/marketplace/plugins/${ref(name, version)}`),
    /** Installs the contents with `integrity` (those the operator reviewed); 409 when the registry serves others. */
    install: (name: string, version: string, body: { allowUnsigned?: boolean; approve?: boolean; integrity?: string; status?: PluginStatus }) =>
      client.post<{ plugin: InstalledPlugin; approval: ApprovalOutcome }>(`/api/v1/marketplace/plugins/${ref(name, version)}/install`, body),
    reindex: () => client.post<void>('/api/v1/marketplace/reindex'),

    trust: () => client.get<{ items: TrustedKey[] }>('/api/v1/registry/trust'),
    addTrust: (body: { org: string; publicKey: string; pinned?: boolean; note?: string }) => client.post<TrustedKey>('/api/v1/registry/trust', body),
    pinTrust: (org: string, keyId: string, pinned: boolean) => client.post<TrustedKey>(`/api/v1/registry/trust/${seg(org)}/keys/${seg(keyId)}/pin`, { pinned }),
    removeTrust: (org: string, keyId: string) => client.delete(`/api/v1/registry/trust/${seg(org)}/keys/${seg(keyId)}`),

    sources: (project: string) => client.get<{ items: RemoteSource[] }>(`${p(project)}/registry/sources`),
    addSource: (project: string, body: { name: string; url: string; token?: string; scopes: string[]; maxAgeSeconds?: number }) =>
      client.post<RemoteSource>(`${p(project)}/registry/sources`, body),
    removeSource: (project: string, name: string) => client.delete(`${p(project)}/registry/sources/${seg(name)}`),
    importFromSource: (project: string, source: string, pkg: string) =>
      client.post<{ items: CatalogItem[] }>(`${p(project)}/registry/sources/${seg(source)}/import`, { package: pkg }),
  };
}

/** The page's plugin and marketplace API. */
export const marketApi = marketEndpoints();
