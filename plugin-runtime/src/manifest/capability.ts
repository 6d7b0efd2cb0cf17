/**
 * Capability strings: the only doors out of the sandbox. Grammar:
 * `http:<origin>` | `agent.execute` | `agent.transfer` | `cmdb.read` | `notify.send` |
 * `secrets.read:<name>` | `log`.
 */

/** A parsed capability. */
export type Capability =
  | { kind: 'http'; origin: string }
  | { kind: 'agent.execute' }
  | { kind: 'agent.transfer' }
  | { kind: 'cmdb.read' }
  | { kind: 'notify.send' }
  | { kind: 'secrets.read'; name: string }
  | { kind: 'log' };

/** Capabilities without a parameter. */
export const SIMPLE_CAPABILITIES = ['agent.execute', 'agent.transfer', 'cmdb.read', 'notify.send', 'log'] as const;

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Result of {@link parseCapability}: the capability, or why the string is not one. */
export type CapabilityParse = { ok: true; capability: Capability } | { ok: false; message: string };

/**
 * Parses one capability string.
 * @example parseCapability('http:https://api.example.com') // {ok: true, capability: {kind: 'http', origin: 'https://api.example.com'}}
 */
export function parseCapability(text: string): CapabilityParse {
  if ((SIMPLE_CAPABILITIES as readonly string[]).includes(text)) {
    return { ok: true, capability: { kind: text as (typeof SIMPLE_CAPABILITIES)[number] } };
  }
  if (text.startsWith('http:')) {
    const origin = text.slice('http:'.length);
    const problem = originProblem(origin);
    return problem ? { ok: false, message: problem } : { ok: true, capability: { kind: 'http', origin } };
  }
  if (text.startsWith('secrets.read:')) {
    const name = text.slice('secrets.read:'.length);
    return SECRET_NAME.test(name)
      ? { ok: true, capability: { kind: 'secrets.read', name } }
      : { ok: false, message: `secret name "${name}" must be 1-128 characters of letters, digits, "_", "." or "-"` };
  }
  return { ok: false, message: `unknown capability "${text}"` };
}

/** Why a string is not a canonical origin (scheme://host[:port]), or undefined if it is one. */
function originProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `"${origin}" is not an origin like https://api.example.com`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `origin "${origin}" must use http or https`;
  if (url.username || url.password) return `origin "${origin}" must not carry credentials`;
  if (url.origin !== origin) {
    return `origin "${origin}" must be exactly scheme://host[:port] with no path, e.g. "${url.origin}"`;
  }
  return undefined;
}

/** The capability a host operation needs, as a string to look up in declared/approved lists. */
export function capabilityString(cap: Capability): string {
  switch (cap.kind) {
    case 'http':
      return `http:${cap.origin}`;
    case 'secrets.read':
      return `secrets.read:${cap.name}`;
    default:
      return cap.kind;
  }
}

/**
 * Whether a list of capability strings (declared, or approved) allows a requested capability.
 * Matching is exact: `http:` by origin, `secrets.read:` by name.
 * @example capabilityAllows(['http:https://a.example'], {kind: 'http', origin: 'https://a.example'}) // true
 */
export function capabilityAllows(granted: readonly string[], requested: Capability | string): boolean {
  const wanted = typeof requested === 'string' ? requested : capabilityString(requested);
  return granted.includes(wanted);
}

/**
 * Whether a URL may be fetched under the granted capabilities: its origin must be granted as `http:<origin>`.
 * @example httpUrlAllowed(['http:https://a.example'], 'https://a.example/v1/x') // true
 */
export function httpUrlAllowed(granted: readonly string[], url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return capabilityAllows(granted, { kind: 'http', origin: parsed.origin });
}
