import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { requestToken, signPackage, type OrgKey } from '@opsloom/plugin-registry';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.js';
import type { User } from '../auth/user-store.js';
import type { PluginService } from '../plugin/plugin-service.js';
import type { MarketplaceService } from '../registry/marketplace-service.js';
import type { RegistryLink } from '../registry/registry-link.js';
import { packTarball } from './package-tarball.js';
import { findPluginPackages, packageFiles, stagePackage, type PluginPackage } from './plugin-packages.js';
import { publishPackage } from './registry-publish.js';

/** Who the bootstrap acts as: approvals and installs are recorded under this name. */
export const SYSTEM_ACTOR = 'system';

/** Dependencies of {@link ensureStandardPlugins}. */
export interface StandardPluginDeps {
  pluginsDir: string;
  link: RegistryLink;
  orgKey: OrgKey;
  auth: AuthService;
  plugins: PluginService;
  market: MarketplaceService;
  log: Logger;
}

/** What one run did, per package name. */
export interface StandardPluginReport {
  published: string[];
  installed: string[];
  skipped: { dir: string; reason: string }[];
}

/** Runs `work` over `items`, at most `limit` at a time (signing spawns npm; two cores). */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Publishes every built standard plugin that the registry does not hold at its version (signed
 * with the `opsloom` organisation key, as the first administrator, whose rights the registry's
 * publish rule checks), then installs each through the marketplace (integrity and signature
 * verified) with its capabilities approved and status online. Versions already published and
 * installed are left alone, so a second start does nothing.
 */
export async function ensureStandardPlugins(deps: StandardPluginDeps): Promise<StandardPluginReport> {
  const { log } = deps;
  const found = await findPluginPackages(deps.pluginsDir);
  for (const s of found.skipped) log.warn({ dir: s.dir, reason: s.reason }, 'bootstrap: standard plugin skipped');
  const report: StandardPluginReport = { published: [], installed: [], skipped: found.skipped };

  const missing: PluginPackage[] = [];
  for (const p of found.packages) {
    const packument = await deps.link.packument(p.name);
    if (!packument?.versions[p.version]) missing.push(p);
  }
  if (missing.length > 0) {
    await withPublishToken(deps, async (npmToken) => {
      await eachLimited(missing, 2, async (p) => {
        await publishOne(p, deps.orgKey, deps.link.url, npmToken);
        report.published.push(`${p.name}@${p.version}`);
      });
    });
  }

  for (const p of found.packages) {
    const current = (await deps.plugins.versionsOf(p.name)).find((v) => v.version === p.version);
    if (current && current.signatureState === 'verified' && current.approvedCapabilities !== null && current.status === 'online') continue;
    await deps.market.install(p.name, p.version, { approve: true, status: 'online' }, SYSTEM_ACTOR);
    report.installed.push(`${p.name}@${p.version}`);
  }
  return report;
}

async function publishOne(p: PluginPackage, orgKey: OrgKey, registryUrl: string, npmToken: string): Promise<void> {
  const stage = await stagePackage(p);
  try {
    await signPackage(stage, orgKey);
    const files = await packageFiles(stage);
    const pkg = JSON.parse(await readFile(join(stage, 'package.json'), 'utf8')) as Record<string, unknown> & { name: string; version: string };
    const readme = files.find((f) => /^readme(\.md)?$/i.test(f.path))?.data.toString('utf8') ?? '';
    await publishPackage(registryUrl, npmToken, { pkg, readme, tarball: packTarball(files) });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Lends `work` an npm token of the first administrator: a one-day API token is created, exchanged
 * for a registry token and revoked when `work` ends, so no standing credential is left behind.
 */
async function withPublishToken(deps: StandardPluginDeps, work: (npmToken: string) => Promise<void>): Promise<void> {
  const admins = (await deps.auth.listUsers()).filter((u: User) => u.isAdmin && !u.disabled);
  const admin = admins.find((u) => u.username === 'admin') ?? admins[0];
  if (!admin) throw new Error('bootstrap: no enabled administrator to publish the standard plugins as');
  const { token, info } = await deps.auth.createToken(admin.id, { name: 'bootstrap: publish standard plugins', expiresInDays: 1 });
  try {
    await work(await requestToken(deps.link.url, admin.username, token));
  } finally {
    await deps.auth.revokeToken({ userId: admin.id, username: admin.username, isAdmin: true }, info.id);
  }
}
