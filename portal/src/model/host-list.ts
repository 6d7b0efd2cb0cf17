/** Reads a typed list of hosts (`10.0.0.5`, `2:10.0.0.5`) for the job host picker. */

/** A host named by cloud area and IP. */
export interface HostAddress {
  cloudArea: number;
  ip: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;

/**
 * Splits on commas, spaces and new lines; `area:ip` names a cloud area (default 0). Duplicates
 * are dropped; every bad entry is reported.
 *
 * @example
 * parseHostList('10.0.0.1, 2:10.0.0.1\nnope') // { hosts: [{cloudArea:0,ip:'10.0.0.1'},{cloudArea:2,ip:'10.0.0.1'}], errors: ['"nope" is not an IP address'] }
 */
export function parseHostList(text: string): { hosts: HostAddress[]; errors: string[] } {
  const hosts: HostAddress[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[\s,;]+/).filter(Boolean)) {
    // `area:ip` only with an IPv4 address, so an IPv6 address is never split at its first colon.
    const m = /^(\d+):(\d+\.\d+\.\d+\.\d+)$/.exec(raw);
    const cloudArea = m ? Number(m[1]) : 0;
    const ip = m ? m[2]! : raw;
    if (!IPV4.test(ip) && !(ip.includes(':') && IPV6.test(ip))) {
      errors.push(`"${raw}" is not an IP address`);
      continue;
    }
    const key = `${cloudArea}:${ip}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hosts.push({ cloudArea, ip });
  }
  return { hosts, errors };
}
