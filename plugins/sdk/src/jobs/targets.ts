import { PluginFailure } from '../plugin-failure.js';

/** A host address as the job service takes it: the same IP in two cloud areas is two hosts. */
export interface HostAddress {
  cloudArea: number;
  ip: string;
}

/** The `targets` input: any mix of addresses, ids, topology nodes and a dynamic group. */
export interface TargetsInput {
  ips?: string[];
  hostIds?: string[];
  topology?: { set?: string; module?: string }[];
  group?: string;
}

/** The `targets` argument of `agent.execute` / `agent.transfer`. */
export interface JobTargets {
  hosts?: HostAddress[];
  hostIds?: string[];
  topology?: { set?: string; module?: string }[];
  group?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Parses `"cloudArea:ip"` (or a bare IP, cloud area 0). IPv6 needs the cloud-area prefix, since
 * the address itself contains colons.
 * @example parseHost('1:10.0.0.5') // {cloudArea: 1, ip: '10.0.0.5'}
 */
export function parseHost(text: string): HostAddress {
  const s = text.trim();
  if (IPV4.test(s)) return { cloudArea: 0, ip: s };
  const at = s.indexOf(':');
  const area = s.slice(0, at);
  const ip = s.slice(at + 1);
  if (at > 0 && /^\d{1,9}$/.test(area) && (IPV4.test(ip) || (ip.includes(':') && IPV6.test(ip)))) {
    return { cloudArea: Number(area), ip };
  }
  throw new PluginFailure('TARGET_INVALID', `"${text}" is not a host: write "cloudArea:ip" (e.g. "0:10.0.0.5") or a bare IPv4 address`);
}

/** Formats a host the way outputs list them. */
export function hostKey(h: HostAddress): string {
  return `${h.cloudArea}:${h.ip}`;
}

/** Turns the input into the job service's targets; refuses an empty selection. */
export function toJobTargets(input: TargetsInput): JobTargets {
  const out: JobTargets = {};
  if (input.ips?.length) {
    const seen = new Set<string>();
    out.hosts = [];
    for (const text of input.ips) {
      const h = parseHost(text);
      if (!seen.has(hostKey(h))) out.hosts.push(h);
      seen.add(hostKey(h));
    }
  }
  if (input.hostIds?.length) out.hostIds = [...new Set(input.hostIds)];
  if (input.topology?.length) out.topology = input.topology;
  if (input.group) out.group = input.group;
  if (Object.keys(out).length === 0) {
    throw new PluginFailure('TARGETS_EMPTY', 'no target hosts: give targets.ips, targets.hostIds, targets.topology or targets.group');
  }
  return out;
}
