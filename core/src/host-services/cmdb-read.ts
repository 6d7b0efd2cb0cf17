import type { HostCallContext } from '@opsloom/plugin-runtime';
import { z } from 'zod';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import { cloudArea, groupName, ipAddress, labels, topologyNode } from '../cmdb/cmdb-schemas.js';
import { equalityRequirements } from '../cmdb/label-selector.js';
import { parseArgs } from './host-errors.js';

/** `host.cmdb.read` queries (see the host API contract). */
export const cmdbReadArgs = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hosts'),
    topology: z.array(topologyNode).min(1).max(500).optional(),
    labels: labels.optional(),
    group: groupName.optional(),
    cloudArea: cloudArea.optional(),
    ips: z.array(ipAddress).min(1).max(50_000).optional(),
  }).strict(),
  z.object({ kind: z.literal('topology') }).strict(),
]);

/**
 * `host.cmdb.read` over the CMDB of the task's project. Host criteria all hold together; a group
 * narrows to its hosts (resolved now).
 */
export function cmdbRead(cmdb: CmdbService) {
  return async (query: unknown, ctx: HostCallContext): Promise<unknown> => {
    const q = parseArgs(cmdbReadArgs, query, 'cmdb.read');
    const projectId = ctx.context.projectId;
    if (q.kind === 'topology') {
      const tree = await cmdb.tree(projectId);
      return { sets: tree.sets.map((s) => ({ name: s.name, modules: s.modules.map((m) => ({ name: m.name, hostCount: m.hostCount })) })) };
    }
    const inGroup = q.group ? new Set((await cmdb.groupHosts(projectId, q.group)).map((h) => h.id)) : undefined;
    const hosts = await cmdb.findHosts(projectId, {
      ...(q.topology ? { topology: q.topology } : {}), ...(q.labels ? { selector: equalityRequirements(q.labels) } : {}),
      ...(q.cloudArea !== undefined ? { cloudArea: q.cloudArea } : {}), ...(q.ips ? { ips: q.ips } : {}),
      ...(inGroup ? { hostIds: [...inGroup] } : {}),
    });
    return {
      hosts: hosts.map((h) => ({ id: h.id, cloudArea: h.cloudArea, ip: h.ip, hostname: h.hostname, os: h.os, labels: h.labels, set: h.set, module: h.module, agentOnline: h.agentOnline })),
    };
  };
}
