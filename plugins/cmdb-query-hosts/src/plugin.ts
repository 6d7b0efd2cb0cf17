/**
 * cmdb-query-hosts: selects hosts from the project's CMDB by topology, labels, dynamic group,
 * cloud area or IPs, and hands later nodes a host list plus `cloudArea:ip` strings.
 */
import { definePlugin, host } from '@opsloom/plugin-sdk';
import { buildQueries, readHosts, type CmdbHost, type SelectorInputs } from './host-query.js';
import { PluginFailure } from '@opsloom/plugin-sdk';

/** Inputs, as the manifest's schema describes them. */
interface Inputs extends SelectorInputs {
  onlineOnly?: boolean;
  failIfEmpty?: boolean;
  limit?: number;
}

/** Outputs: the hosts, and handy projections of them for later nodes. */
interface Outputs {
  [key: string]: unknown;
  hosts: CmdbHost[];
  ips: string[];
  hostIds: string[];
  count: number;
  offlineHosts: string[];
}

export default definePlugin<Inputs, Outputs>({
  async execute(inputs, ctx) {
    const limit = inputs.limit ?? 5000;
    const seen = new Set<string>();
    let hosts: CmdbHost[] = [];
    for (const query of buildQueries(inputs)) {
      for (const h of readHosts(await host.cmdb.read(query))) {
        if (!seen.has(h.id)) hosts.push(h);
        seen.add(h.id);
      }
    }
    hosts.sort((a, b) => a.cloudArea - b.cloudArea || compareIp(a.ip, b.ip));
    const offline = hosts.filter((h) => !h.agentOnline);
    if (inputs.onlineOnly) hosts = hosts.filter((h) => h.agentOnline);
    if (hosts.length > limit) {
      throw new PluginFailure('TOO_MANY_HOSTS', `the query matched ${hosts.length} hosts, more than limit ${limit}: narrow the selection or raise limit`);
    }
    if (hosts.length === 0 && (inputs.failIfEmpty ?? true)) {
      throw new PluginFailure('NO_HOSTS', `no hosts match ${describe(inputs)}${inputs.onlineOnly && offline.length ? ` with an online agent (${offline.length} offline)` : ''}`);
    }
    ctx.log.info(`${hosts.length} hosts match ${describe(inputs)}${offline.length ? `; ${offline.length} without an online agent` : ''}`);
    return {
      hosts,
      ips: hosts.map((h) => `${h.cloudArea}:${h.ip}`),
      hostIds: hosts.map((h) => h.id),
      count: hosts.length,
      offlineHosts: offline.map((h) => `${h.cloudArea}:${h.ip}`),
    };
  },
});

/** Orders IPv4 addresses numerically (10.0.0.2 before 10.0.0.10); anything else as text. */
function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((n) => Number.isInteger(n))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The selection in words, for logs and errors. */
function describe(inputs: Inputs): string {
  const parts: string[] = [];
  if (inputs.topology?.length) parts.push(`topology ${inputs.topology.map((t) => `${t.set ?? '*'}/${t.module ?? '*'}`).join(', ')}`);
  if (inputs.labels && Object.keys(inputs.labels).length) parts.push(`labels ${Object.entries(inputs.labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (inputs.group) parts.push(`group "${inputs.group}"`);
  if (inputs.cloudArea !== undefined) parts.push(`cloud area ${inputs.cloudArea}`);
  if (inputs.ips?.length) parts.push(`${inputs.ips.length} IPs`);
  return parts.join(' and ');
}
