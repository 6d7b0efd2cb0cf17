import { readFileSync } from 'node:fs';

/** Usage lines of `opsloom plugin`, for the CLI's help. */
export const PLUGIN_USAGE = `  opsloom plugin list [--status S]             installed plugin versions
  opsloom plugin search [TEXT] [--category C] [--capability X] [--runtime R] [--org O | --claimed-org O] [--page N]
      --org: signed by O and verified by a pinned key of O; --claimed-org: naming O in a signature no pinned key verifies
  opsloom plugin info NAME[@VERSION]           readme, schemas, capabilities, integrity and versions from the marketplace
  opsloom plugin install NAME@VERSION [--allow-unsigned] [--approve] [--integrity I] [--status S]
      --approve approves the capabilities of the contents this install verifies; --integrity I installs
      (and approves) only the contents I, refusing others the registry may serve by now
  opsloom plugin enable|disable|offline NAME@VERSION
  opsloom plugin approve NAME@VERSION --integrity I
      approves the capabilities of exactly the installed contents I; without --integrity it shows the
      installed contents' integrity and capabilities and approves nothing, so you approve only what you saw
  opsloom plugin trust list [ORG] | add ORG KEY|@FILE [--unpinned] | pin|unpin|remove ORG KEYID
  opsloom plugin source list PROJECT | add PROJECT NAME URL --scope @S [--token T] | remove PROJECT NAME
                      | import PROJECT NAME PACKAGE
      These call the API at OPSLOOM_URL (default http://127.0.0.1:7070) with OPSLOOM_TOKEN;
      add --json to print the API's answer as JSON.`;

/** A refused or failed call, printed as `opsloom: <message>` with exit code 1. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

type Json = Record<string, unknown>;

interface Api {
  call(method: string, path: string, body?: unknown): Promise<Json>;
}

function api(env: NodeJS.ProcessEnv): Api {
  const base = (env.OPSLOOM_URL ?? 'http://127.0.0.1:7070').replace(/\/$/, '');
  const token = env.OPSLOOM_TOKEN;
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        throw new CliError(`cannot reach Opsloom at ${base} (set OPSLOOM_URL): ${(err as Error).message}`);
      }
      const text = await res.text();
      let parsed: Json = {};
      try { parsed = text ? (JSON.parse(text) as Json) : {}; } catch { parsed = { detail: text }; }
      if (!res.ok) {
        const hint = res.status === 401 ? ' (set OPSLOOM_TOKEN to an API token)' : '';
        throw new CliError(`${String(parsed.detail ?? res.statusText)} [${String(parsed.code ?? res.status)}]${hint}`);
      }
      return parsed;
    },
  };
}

/** Splits `@scope/name@1.2.3` into name and version. */
export function parseRef(ref: string | undefined, versionRequired = true): { name: string; version: string | undefined } {
  if (!ref) throw new CliError('name a plugin, e.g. @acme/ping@1.0.0', 2);
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  if (versionRequired && !version) throw new CliError(`name the version too: ${ref}@1.0.0`, 2);
  return { name, version };
}

const enc = encodeURIComponent;

function options(args: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const boolean = new Set(['--json', '--allow-unsigned', '--approve', '--unpinned']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) positional.push(a);
    else if (boolean.has(a)) flags.set(a, true);
    else {
      const v = args[i + 1];
      if (v === undefined) throw new CliError(`${a} needs a value`, 2);
      flags.set(a, v);
      i++;
    }
  }
  return { positional, flags };
}

const str = (v: string | true | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
/** A verified organisation as is; one an unverified signature only names, marked as a claim. */
const orgLabel = (v: Json): string => (v.org ? String(v.org) : v.claimedOrg ? `${String(v.claimedOrg)} (claimed)` : '-');

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function run(sub: string, args: string[], client: Api): Promise<{ json: unknown; text: string }> {
  const { positional: p, flags } = options(args);
  const q = (pairs: Record<string, string | undefined>): string => {
    const s = new URLSearchParams(Object.entries(pairs).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return s ? `?${s}` : '';
  };
  const status = async (value: string) => {
    const { name, version } = parseRef(p[0]);
    const r = await client.call('POST', `/api/v1/plugins/${enc(name)}/versions/${enc(version!)}/status`, { status: value });
    return { json: r, text: `${name}@${version} is now ${String(r.status)}\n` };
  };
  switch (sub) {
    case 'list': {
      const r = await client.call('GET', `/api/v1/plugins${q({ status: str(flags.get('--status')) })}`);
      const items = r.items as Json[];
      return { json: r, text: table([['NAME', 'VERSION', 'STATUS', 'APPROVED', 'SIGNATURE', 'ORG'], ...items.map((i) => [String(i.name), String(i.version), String(i.status), i.approvedCapabilities ? 'yes' : 'no', String(i.signatureState), orgLabel(i)])]) };
    }
    case 'search': {
      const r = await client.call('GET', `/api/v1/marketplace/plugins${q({
        q: p.join(' ') || undefined, category: str(flags.get('--category')), capability: str(flags.get('--capability')),
        runtime: str(flags.get('--runtime')), org: str(flags.get('--org')), claimedOrg: str(flags.get('--claimed-org')), page: str(flags.get('--page')),
      })}`);
      const items = r.items as Json[];
      return { json: r, text: `${table([['NAME', 'VERSION', 'CATEGORY', 'ORG', 'SIGNATURE', 'ORIGIN', 'TITLE'], ...items.map((i) => [String(i.name), String(i.version), String(i.category), orgLabel(i), String((i.signature as Json).state), String(i.origin), String(i.title)])])}${String(r.total)} match(es), page ${String(r.page)}\n` };
    }
    case 'info': {
      const { name, version } = parseRef(p[0], false);
      const r = await client.call('GET', version ? `/api/v1/marketplace/plugins/${enc(name)}/versions/${enc(version)}` : `/api/v1/marketplace/plugins/${enc(name)}`);
      const versions = (r.versions as Json[]).map((v) => `  ${String(v.version)}${v.latest ? ' (latest)' : ''}  ${String((v.signature as Json).state)}  ${v.installed ? `installed, ${String((v.installed as Json).status)}` : 'not installed'}`);
      return { json: r, text: `${String(r.name)}@${String(r.version)}: ${String(r.title)} [${String(r.category)}, ${String(r.runtime)}]\n${String(r.description ?? '')}\ncapabilities: ${(r.capabilities as string[]).join(', ') || '(none)'}\nintegrity: ${String(r.integrity ?? '(not listed)')}\norganisation: ${orgLabel(r)} (${String((r.signature as Json).state)}), origin: ${String(r.origin)}\nversions:\n${versions.join('\n')}\n\n${String(r.readme ?? '')}\n` };
    }
    case 'install': {
      const { name, version } = parseRef(p[0]);
      const body = {
        ...(flags.has('--allow-unsigned') ? { allowUnsigned: true } : {}), ...(flags.has('--approve') ? { approve: true } : {}),
        ...(str(flags.get('--integrity')) ? { integrity: str(flags.get('--integrity')) } : {}), ...(str(flags.get('--status')) ? { status: str(flags.get('--status')) } : {}),
      };
      const r = await client.call('POST', `/api/v1/marketplace/plugins/${enc(name)}/versions/${enc(version!)}/install`, body);
      const plugin = r.plugin as Json;
      const approval = r.approval as Json;
      const next = approval.state === 'required' ? `\ncapabilities need approval: ${(approval.capabilities as string[]).join(', ') || '(none)'}; run: opsloom plugin approve ${name}@${String(plugin.version)} --integrity ${String(plugin.integrity)}` : '';
      return { json: r, text: `installed ${name}@${String(plugin.version)} (${String(plugin.signatureState)}${plugin.org ? `, ${String(plugin.org)}` : ''}, ${String(plugin.integrity)}), status ${String(plugin.status)}${next}\n` };
    }
    case 'enable': return status('online');
    case 'disable': return status('disabled');
    case 'offline': return status('offline');
    case 'approve': {
      const { name, version } = parseRef(p[0]);
      const integrity = str(flags.get('--integrity'));
      if (!integrity) {
        // Approving "whatever is installed now" would approve contents nobody looked at: show them, approve nothing.
        const installed = await client.call('GET', `/api/v1/plugins/${enc(name)}/versions/${enc(version!)}`);
        throw new CliError(`approving names the contents you reviewed; ${name}@${version} is installed with\n  integrity:    ${String(installed.integrity)}\n`
          + `  capabilities: ${(installed.capabilities as string[]).join(', ') || '(none)'}\n`
          + `to approve exactly these contents, run: opsloom plugin approve ${name}@${version} --integrity ${String(installed.integrity)}`, 2);
      }
      const r = await client.call('POST', `/api/v1/plugins/${enc(name)}/versions/${enc(version!)}/approve`, { integrity });
      return { json: r, text: `approved ${name}@${version} (${integrity}): ${(r.approvedCapabilities as string[]).join(', ') || '(no capabilities)'}\n` };
    }
    case 'trust': return trust(p, flags, client);
    case 'source': return source(p, flags, client);
    default: throw new CliError(`unknown plugin command "${sub}"\n\n${PLUGIN_USAGE}`, 2);
  }
}

async function trust(p: string[], flags: Map<string, string | true>, client: Api): Promise<{ json: unknown; text: string }> {
  const [verb = 'list', org, key] = p;
  if (verb === 'list') {
    const r = await client.call('GET', `/api/v1/registry/trust${org ? `?org=${enc(org)}` : ''}`);
    return { json: r, text: table([['ORG', 'KEY ID', 'PINNED', 'ADDED BY'], ...(r.items as Json[]).map((k) => [String(k.org), String(k.keyId), k.pinned ? 'yes' : 'no', String(k.addedBy)])]) };
  }
  if (!org || !key) throw new CliError(`usage: opsloom plugin trust ${verb} ORG ${verb === 'add' ? 'KEY|@FILE' : 'KEYID'}`, 2);
  if (verb === 'add') {
    const publicKey = key.startsWith('@') ? readFileSync(key.slice(1), 'utf8') : key;
    const r = await client.call('POST', '/api/v1/registry/trust', { org, publicKey, pinned: !flags.has('--unpinned') });
    return { json: r, text: `${String(r.org)} key ${String(r.keyId)} added${r.pinned ? ' and pinned' : ' (not pinned)'}\n` };
  }
  if (verb === 'pin' || verb === 'unpin') {
    const r = await client.call('POST', `/api/v1/registry/trust/${enc(org)}/keys/${enc(key)}/pin`, { pinned: verb === 'pin' });
    return { json: r, text: `${org} key ${key} is ${r.pinned ? 'pinned' : 'not pinned'}\n` };
  }
  if (verb === 'remove') {
    await client.call('DELETE', `/api/v1/registry/trust/${enc(org)}/keys/${enc(key)}`);
    return { json: { removed: true }, text: `${org} key ${key} removed\n` };
  }
  throw new CliError(`unknown trust command "${verb}"`, 2);
}

async function source(p: string[], flags: Map<string, string | true>, client: Api): Promise<{ json: unknown; text: string }> {
  const [verb = 'list', project, name, third] = p;
  if (!project) throw new CliError('name the project: opsloom plugin source list PROJECT', 2);
  const base = `/api/v1/projects/${enc(project)}/registry/sources`;
  if (verb === 'list') {
    const r = await client.call('GET', base);
    return { json: r, text: table([['NAME', 'URL', 'SCOPES', 'TOKEN'], ...(r.items as Json[]).map((s) => [String(s.name), String(s.url), (s.scopes as string[]).join(','), s.hasToken ? 'yes' : 'no'])]) };
  }
  if (!name) throw new CliError(`usage: opsloom plugin source ${verb} PROJECT NAME …`, 2);
  if (verb === 'add') {
    const scope = str(flags.get('--scope'));
    if (!third || !scope) throw new CliError('usage: opsloom plugin source add PROJECT NAME URL --scope @S[,@T] [--token T]', 2);
    const token = str(flags.get('--token'));
    const r = await client.call('POST', base, { name, url: third, scopes: scope.split(','), ...(token ? { token } : {}) });
    return { json: r, text: `remote source ${String(r.name)} added for ${(r.scopes as string[]).join(', ')}\n` };
  }
  if (verb === 'remove') {
    await client.call('DELETE', `${base}/${enc(name)}`);
    return { json: { removed: true }, text: `remote source ${name} removed\n` };
  }
  if (verb === 'import') {
    if (!third) throw new CliError('usage: opsloom plugin source import PROJECT NAME PACKAGE', 2);
    const r = await client.call('POST', `${base}/${enc(name)}/import`, { package: third });
    return { json: r, text: `imported ${third}: ${(r.items as Json[]).map((v) => String(v.version)).join(', ')}\n` };
  }
  throw new CliError(`unknown source command "${verb}"`, 2);
}

/** `opsloom plugin …`: the marketplace, installed plugins and the trust store, over the API. */
export async function pluginCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help') {
    process.stdout.write(`${PLUGIN_USAGE}\n`);
    return;
  }
  try {
    const out = await run(sub, rest, api(env));
    process.stdout.write(rest.includes('--json') ? `${JSON.stringify(out.json, null, 2)}\n` : out.text);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`opsloom: ${err.message}\n`);
    process.exitCode = err.exitCode;
  }
}
