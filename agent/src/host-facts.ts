import { arch, hostname, networkInterfaces, platform, release } from 'node:os';
import type { HostFacts, ScriptLanguage } from './protocol/index.js';

/** Inputs to {@link collectHostFacts}; everything else is read from the OS. */
export interface HostFactsInput {
  cloudArea: number;
  agentVersion: string;
  languages: ScriptLanguage[];
  /** IP to report first instead of the detected one (NAT, several NICs, emulated agents). */
  ip?: string;
  /** Host name to report instead of the OS's. */
  hostname?: string;
}

/** The host's non-loopback addresses, IPv4 first; loopback only when there is nothing else. */
export function detectIps(): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.startsWith('fe80:')) v6.push(a.address);
    }
  }
  const all = [...v4, ...v6];
  return all.length > 0 ? all.slice(0, 32) : ['127.0.0.1'];
}

/** Describes this host for `enrol` and `hello`. */
export function collectHostFacts(input: HostFactsInput): HostFacts {
  const detected = input.ip ? [] : detectIps();
  const ips = input.ip ? [input.ip] : detected;
  return {
    hostname: (input.hostname ?? hostname()).slice(0, 255) || 'localhost',
    os: { platform: platform(), release: release().slice(0, 256), arch: arch() },
    ips,
    cloudArea: input.cloudArea,
    agentVersion: input.agentVersion,
    languages: input.languages,
  };
}
