import { PluginFailure } from '@opsloom/plugin-sdk';

/** The plugin's selector inputs. */
export interface SelectorInputs {
  topology?: { set?: string; module?: string }[];
  labels?: Record<string, string>;
  group?: string;
  cloudArea?: number;
  ips?: string[];
}

/** A `cmdb.read` hosts query, as the host contract takes it. */
export interface HostsQuery {
  kind: 'hosts';
  topology?: { set?: string; module?: string }[];
  labels?: Record<string, string>;
  group?: string;
  cloudArea?: number;
  ips?: string[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** Splits `"cloudArea:ip"` (or a bare IPv4 address, in `defaultArea`: the `cloudArea` input, else 0). */
function splitHost(text: string, defaultArea: number): { area: number; ip: string } {
  const s = text.trim();
  if (IPV4.test(s)) return { area: defaultArea, ip: s };
  const at = s.indexOf(':');
  const area = s.slice(0, at);
  const ip = s.slice(at + 1);
  if (at > 0 && /^\d{1,9}$/.test(area) && (IPV4.test(ip) || (ip.includes(':') && IPV6.test(ip)))) return { area: Number(area), ip };
  throw new PluginFailure('IP_INVALID', `"${text}" is not a host: write "cloudArea:ip" (e.g. "0:10.0.0.5") or a bare IPv4 address`);
}

/**
 * Turns the inputs into one `cmdb.read` query per cloud area named by `ips` (the contract takes
 * one cloud area per query); without `ips`, one query. Refuses a query with no selector at all,
 * which would list the whole project.
 */
export function buildQueries(inputs: SelectorInputs): HostsQuery[] {
  const base: HostsQuery = { kind: 'hosts' };
  if (inputs.topology?.length) base.topology = inputs.topology;
  if (inputs.labels && Object.keys(inputs.labels).length > 0) base.labels = inputs.labels;
  if (inputs.group) base.group = inputs.group;
  if (!inputs.ips?.length) {
    if (inputs.cloudArea !== undefined) base.cloudArea = inputs.cloudArea;
    if (Object.keys(base).length === 1) {
      throw new PluginFailure('SELECTOR_EMPTY', 'give at least one of topology, labels, group, cloudArea or ips: an empty query would list every host of the project');
    }
    return [base];
  }
  const byArea = new Map<number, string[]>();
  for (const text of inputs.ips) {
    const { area, ip } = splitHost(text, inputs.cloudArea ?? 0);
    const list = byArea.get(area) ?? [];
    if (!list.includes(ip)) list.push(ip);
    byArea.set(area, list);
  }
  return [...byArea].map(([area, ips]) => ({ ...base, cloudArea: area, ips }));
}

/** A host in the `cmdb.read` answer (and in this plugin's outputs). */
export interface CmdbHost {
  id: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  os: string;
  labels: Record<string, string>;
  set: string;
  module: string;
  agentOnline: boolean;
}

/** Reads the answer defensively: hosts missing an id, IP or cloud area are a contract break. */
export function readHosts(value: unknown): CmdbHost[] {
  const hosts = (value as { hosts?: unknown } | null)?.hosts;
  if (!Array.isArray(hosts)) throw new PluginFailure('CMDB_ANSWER_INVALID', 'the CMDB answered without a hosts list');
  return hosts.map((h: Partial<CmdbHost>) => {
    if (!h || typeof h.id !== 'string' || typeof h.ip !== 'string' || typeof h.cloudArea !== 'number') {
      throw new PluginFailure('CMDB_ANSWER_INVALID', `the CMDB answered a malformed host: ${JSON.stringify(h).slice(0, 200)}`);
    }
    return {
      id: h.id,
      cloudArea: h.cloudArea,
      ip: h.ip,
      hostname: typeof h.hostname === 'string' ? h.hostname : '',
      os: typeof h.os === 'string' ? h.os : '',
      labels: h.labels && typeof h.labels === 'object' ? h.labels : {},
      set: typeof h.set === 'string' ? h.set : '',
      module: typeof h.module === 'string' ? h.module : '',
      agentOnline: h.agentOnline === true,
    };
  });
}
