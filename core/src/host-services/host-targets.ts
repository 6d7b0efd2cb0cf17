import { PluginRuntimeError } from '@opsloom/plugin-runtime';
import { z } from 'zod';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import { cloudArea, groupName, ipAddress, topologyNode } from '../cmdb/cmdb-schemas.js';

/** Most hosts one call may name (bk-job's limit for a script step). */
const MAX_TARGETS = 50_000;

/** `targets` of `agent.execute` / `agent.transfer`: hosts by identity or id, topology nodes, a dynamic group. */
export const hostTargets = z.object({
  hosts: z.array(z.object({ cloudArea, ip: ipAddress }).strict()).max(MAX_TARGETS).optional(),
  hostIds: z.array(z.string().min(1).max(64)).max(MAX_TARGETS).optional(),
  topology: z.array(topologyNode).max(500).optional(),
  group: groupName.optional(),
}).strict();

export type HostTargets = z.infer<typeof hostTargets>;

/**
 * What the job service takes: host ids (named ones plus those the topology nodes and group resolve
 * to in the CMDB now) and identities. The job service itself refuses hosts outside the project.
 * @throws PluginRuntimeError `NO_TARGETS` when nothing was named or everything resolved to no host
 */
export async function resolveHostTargets(cmdb: CmdbService | undefined, projectId: string, t: HostTargets): Promise<{ hostIds: string[]; hosts: { cloudArea: number; ip: string }[] }> {
  const hostIds = new Set(t.hostIds ?? []);
  if (t.topology?.length || t.group) {
    if (!cmdb) throw new PluginRuntimeError('HOST_SERVICE_UNAVAILABLE', 'targets by topology or group need the CMDB, which this server does not run');
    for (const id of await cmdb.resolveTargets(projectId, { ...(t.topology ? { topology: t.topology } : {}), ...(t.group ? { group: t.group } : {}) })) hostIds.add(id);
  }
  const hosts = t.hosts ?? [];
  if (hostIds.size === 0 && hosts.length === 0) {
    const named = t.topology?.length || t.group ? 'the topology nodes and group name no host of this project' : 'name hosts, hostIds, topology or group';
    throw new PluginRuntimeError('NO_TARGETS', `no target hosts: ${named}`);
  }
  if (hostIds.size + hosts.length > MAX_TARGETS) throw new PluginRuntimeError('TOO_MANY_TARGETS', `the targets resolve to more than ${MAX_TARGETS} hosts`);
  return { hostIds: [...hostIds], hosts };
}
