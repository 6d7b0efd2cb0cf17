import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AgentOptions } from './agent-options.js';
import { AgentError } from './errors.js';
import type { LogLevel } from './logger.js';
import type { SwarmOptions } from './swarm.js';

/** What the command line asked for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: AgentOptions; logLevel: LogLevel }
  | { kind: 'swarm'; options: SwarmOptions; logLevel: LogLevel };

/** Usage text of `opsloom-agent`. */
export const USAGE = `Usage:
  opsloom-agent [run] --server URL --state-dir DIR [--enrol-token TOKEN] [options]
  opsloom-agent swarm --count N --server URL --state-dir DIR [--enrol-token TOKEN] [options]

Options:
  --server URL           core gateway, e.g. ws://127.0.0.1:7070/agent/v1
  --state-dir DIR        where the identity (credential, mode 0600) is kept
  --enrol-token TOKEN    project enrolment token, needed once (or env OPSLOOM_ENROL_TOKEN)
  --cloud-area N         cloud area of this host (default 0)
  --max-concurrent N     scripts running at once; more wait in a queue (default 8)
  --ip IP                IP to report instead of the detected one
  --hostname NAME        host name to report instead of the OS's
  --work-dir DIR         helpers and per-run directories (default <state-dir>/work)
  --log-level LEVEL      info, warn, error or silent (default info)
  --config FILE          JSON file with the same settings in camelCase; flags win
  --count N              swarm: number of emulated agents
  --first-index N        swarm: index of the first agent (default 0)
  --start-spread-ms N    swarm: spread first connections over this window
  -h, --help, --version

When core refuses the agent:
  A revoked or unknown token or credential is logged and retried after 15-30 s.
  AGENT_REMOVED (an administrator removed this host) is logged as an error and running scripts
  are stopped; the agent does not exit but asks again every 2.5-5 min, so a host re-admitted on
  the project's Hosts page comes back on its own (restart the agent to bring it back at once).
  Under systemd, Restart=always needs no exception and never loops.

Exit status: 0 when stopped by SIGINT/SIGTERM, 1 when stopping failed, 2 when it cannot start
(bad configuration, unreadable identity file).
`;

const FLAGS = {
  server: { type: 'string' }, 'state-dir': { type: 'string' }, 'enrol-token': { type: 'string' },
  'cloud-area': { type: 'string' }, 'max-concurrent': { type: 'string' }, ip: { type: 'string' },
  hostname: { type: 'string' }, 'work-dir': { type: 'string' }, 'log-level': { type: 'string' },
  config: { type: 'string' }, count: { type: 'string' }, 'first-index': { type: 'string' },
  'start-spread-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
} as const;

function toInt(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new AgentError('CONFIG_INVALID', `--${flag} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

function readConfig(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AgentError('CONFIG_INVALID', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentError('CONFIG_INVALID', `config file ${file} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads `opsloom-agent`'s arguments (and the config file they name).
 * @throws AgentError `CONFIG_INVALID` with a message naming the bad flag.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new AgentError('CONFIG_INVALID', `${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const sub = positionals[0] ?? 'run';
  if ((sub !== 'run' && sub !== 'swarm') || positionals.length > 1) {
    throw new AgentError('CONFIG_INVALID', `unknown command ${JSON.stringify(positionals.join(' '))}\n\n${USAGE}`);
  }
  const file = values.config ? readConfig(values.config) : {};
  const pick = (flag: keyof typeof FLAGS, key: string): unknown => values[flag] ?? file[key];
  const str = (flag: keyof typeof FLAGS, key: string): string | undefined => {
    const v = pick(flag, key);
    if (v !== undefined && typeof v !== 'string') throw new AgentError('CONFIG_INVALID', `${key} must be a string`);
    return v;
  };
  const server = str('server', 'server');
  const stateDir = str('state-dir', 'stateDir');
  if (!server) throw new AgentError('CONFIG_INVALID', `--server is required (e.g. ws://127.0.0.1:7070/agent/v1)\n\n${USAGE}`);
  if (!stateDir) throw new AgentError('CONFIG_INVALID', `--state-dir is required\n\n${USAGE}`);
  const logLevel = (str('log-level', 'logLevel') ?? 'info') as LogLevel;
  if (!['info', 'warn', 'error', 'silent'].includes(logLevel)) throw new AgentError('CONFIG_INVALID', `--log-level must be info, warn, error or silent`);
  const options: AgentOptions = { server, stateDir };
  const enrolToken = str('enrol-token', 'enrolToken') ?? env.OPSLOOM_ENROL_TOKEN;
  if (enrolToken) options.enrolToken = enrolToken;
  const cloudArea = toInt('cloud-area', pick('cloud-area', 'cloudArea'));
  if (cloudArea !== undefined) options.cloudArea = cloudArea;
  const maxConcurrent = toInt('max-concurrent', pick('max-concurrent', 'maxConcurrent'));
  if (maxConcurrent !== undefined) options.maxConcurrent = maxConcurrent;
  const workDir = str('work-dir', 'workDir');
  if (workDir) options.workDir = workDir;
  if (sub === 'run') {
    const ip = str('ip', 'ip');
    if (ip) options.ip = ip;
    const hostname = str('hostname', 'hostname');
    if (hostname) options.hostname = hostname;
    return { kind: 'run', options, logLevel };
  }
  const count = toInt('count', pick('count', 'count'));
  if (count === undefined) throw new AgentError('CONFIG_INVALID', `swarm needs --count N\n\n${USAGE}`);
  const swarm: SwarmOptions = { ...options, count };
  const firstIndex = toInt('first-index', pick('first-index', 'firstIndex'));
  if (firstIndex !== undefined) swarm.firstIndex = firstIndex;
  const spread = toInt('start-spread-ms', pick('start-spread-ms', 'startSpreadMs'));
  if (spread !== undefined) swarm.startSpreadMs = spread;
  return { kind: 'swarm', options: swarm, logLevel };
}
