import {
  FieldError, type Fields, array, base64, boolean, integer, noExtraKeys, nullableInteger, nullableString,
  object, oneOf, optionalString, string, stringArray,
} from './check.js';
import { PROTOCOL_LIMITS as L } from './limits.js';
import {
  type AgentMessage, type HostFacts, type ResultTag, type RunFailure, SCRIPT_LANGUAGES, type ScriptLanguage, type ServerMessage,
} from './messages.js';

/** Why a frame was refused. `path` names the offending field (`$` is the whole message). */
export interface ProtocolViolation {
  code: 'PROTOCOL_BAD_JSON' | 'PROTOCOL_UNKNOWN_TYPE' | 'PROTOCOL_BAD_FIELD';
  path: string;
  message: string;
}

/** A parsed message, or the precise reason it was refused. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolViolation };

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

function id(o: Fields, key: string, path: string): string {
  const v = string(o, key, path, L.idChars, 1);
  if (!ID.test(v)) throw new FieldError(`${path}.${key}`, 'must be letters, digits, ".", "_", ":" or "-"');
  return v;
}

function seq(o: Fields, path: string): number {
  return integer(o, 'seq', path, 1);
}

function hostFacts(raw: unknown, path: string): HostFacts {
  const o = object(raw, path);
  noExtraKeys(o, path, ['hostname', 'os', 'ips', 'cloudArea', 'agentVersion', 'languages']);
  const os = object(o.os, `${path}.os`);
  noExtraKeys(os, `${path}.os`, ['platform', 'release', 'arch']);
  const ips = stringArray(o, 'ips', path, L.ips, 45);
  if (ips.length === 0) throw new FieldError(`${path}.ips`, 'must list at least one IP');
  ips.forEach((ip, i) => {
    if (!IPV4.test(ip) && !(ip.includes(':') && IPV6.test(ip))) throw new FieldError(`${path}.ips[${i}]`, 'must be an IPv4 or IPv6 address');
  });
  const languages = array(o, 'languages', path, SCRIPT_LANGUAGES.length).map((lang, i) => {
    if (!(SCRIPT_LANGUAGES as readonly unknown[]).includes(lang)) throw new FieldError(`${path}.languages[${i}]`, `must be one of ${SCRIPT_LANGUAGES.join(', ')}`);
    return lang as ScriptLanguage;
  });
  return {
    hostname: string(o, 'hostname', path, 255, 1),
    os: {
      platform: string(os, 'platform', `${path}.os`, 64),
      release: string(os, 'release', `${path}.os`, 256),
      arch: string(os, 'arch', `${path}.os`, 64),
    },
    ips,
    cloudArea: integer(o, 'cloudArea', path, 0, 2_147_483_647),
    agentVersion: string(o, 'agentVersion', path, 64, 1),
    languages,
  };
}

function tag(raw: unknown, path: string): ResultTag | null {
  if (raw === null) return null;
  const o = object(raw, path);
  noExtraKeys(o, path, ['kind', 'message']);
  return { kind: oneOf(o, 'kind', path, ['success', 'fail'] as const), message: string(o, 'message', path, L.tagChars) };
}

function failure(raw: unknown, path: string): RunFailure | null {
  if (raw === null) return null;
  const o = object(raw, path);
  noExtraKeys(o, path, ['code', 'message']);
  return { code: string(o, 'code', path, 64, 1), message: string(o, 'message', path, L.textChars) };
}

function env(raw: unknown, path: string): Record<string, string> {
  const o = object(raw, path);
  const keys = Object.keys(o);
  if (keys.length > L.envEntries) throw new FieldError(path, `must have at most ${L.envEntries} variables`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    if (!ENV_NAME.test(k) || k.length > 256) throw new FieldError(`${path}.${k}`, 'is not a valid environment variable name');
    out[k] = string(o, k, path, L.envValueChars);
  }
  return out;
}

function agentMessage(o: Fields): AgentMessage {
  const type = o.type;
  const p = typeof type === 'string' ? type : '$';
  switch (type) {
    case 'enrol':
      noExtraKeys(o, p, ['type', 'protocolVersion', 'enrolToken', 'facts']);
      return { type, protocolVersion: integer(o, 'protocolVersion', p, 1), enrolToken: string(o, 'enrolToken', p, L.secretChars, 1), facts: hostFacts(o.facts, `${p}.facts`) };
    case 'hello':
      noExtraKeys(o, p, ['type', 'protocolVersion', 'agentId', 'credential', 'facts', 'epoch', 'activeRuns']);
      return {
        type, protocolVersion: integer(o, 'protocolVersion', p, 1), agentId: id(o, 'agentId', p),
        credential: string(o, 'credential', p, L.secretChars, 1), facts: hostFacts(o.facts, `${p}.facts`),
        epoch: id(o, 'epoch', p), activeRuns: stringArray(o, 'activeRuns', p, L.activeRuns, L.idChars),
      };
    case 'heartbeat':
      noExtraKeys(o, p, ['type', 'sentAt', 'running', 'queued']);
      return { type, sentAt: integer(o, 'sentAt', p, 0), running: integer(o, 'running', p, 0), queued: integer(o, 'queued', p, 0) };
    case 'run-state':
      noExtraKeys(o, p, ['type', 'seq', 'runId', 'state', 'at']);
      return { type, seq: seq(o, p), runId: id(o, 'runId', p), state: oneOf(o, 'state', p, ['queued', 'running'] as const), at: integer(o, 'at', p, 0) };
    case 'output':
      noExtraKeys(o, p, ['type', 'seq', 'runId', 'offset', 'data', 'stream']);
      return {
        type, seq: seq(o, p), runId: id(o, 'runId', p), offset: integer(o, 'offset', p, 0),
        data: base64(o, 'data', p, L.chunkBytes), stream: oneOf(o, 'stream', p, ['stdout', 'stderr'] as const),
      };
    case 'result': {
      noExtraKeys(o, p, ['type', 'seq', 'runId', 'exitCode', 'signal', 'tag', 'startedAt', 'endedAt', 'timedOut', 'cancelled', 'logBytes', 'logTruncated', 'failure']);
      const startedAt = nullableInteger(o, 'startedAt', p, 0);
      const endedAt = integer(o, 'endedAt', p, 0);
      if (startedAt !== null && endedAt < startedAt) throw new FieldError(`${p}.endedAt`, 'must not be before startedAt');
      return {
        type, seq: seq(o, p), runId: id(o, 'runId', p), exitCode: nullableInteger(o, 'exitCode', p, -2_147_483_648, 2_147_483_647),
        signal: nullableString(o, 'signal', p, 32), tag: tag(o.tag, `${p}.tag`), startedAt, endedAt,
        timedOut: boolean(o, 'timedOut', p), cancelled: boolean(o, 'cancelled', p), logBytes: integer(o, 'logBytes', p, 0),
        logTruncated: boolean(o, 'logTruncated', p), failure: failure(o.failure, `${p}.failure`),
      };
    }
    case 'error': {
      noExtraKeys(o, p, ['type', 'code', 'message', 'runId']);
      const runId = optionalString(o, 'runId', p, L.idChars);
      return { type, code: string(o, 'code', p, 64, 1), message: string(o, 'message', p, L.textChars), ...(runId === undefined ? {} : { runId }) };
    }
    default:
      throw new UnknownType(type);
  }
}

function serverMessage(o: Fields): ServerMessage {
  const type = o.type;
  const p = typeof type === 'string' ? type : '$';
  switch (type) {
    case 'enrolled':
      noExtraKeys(o, p, ['type', 'agentId', 'credential']);
      return { type, agentId: id(o, 'agentId', p), credential: string(o, 'credential', p, L.secretChars, 1) };
    case 'welcome':
      noExtraKeys(o, p, ['type', 'agentId', 'protocolVersion', 'heartbeatSeconds', 'serverTime']);
      return {
        type, agentId: id(o, 'agentId', p), protocolVersion: integer(o, 'protocolVersion', p, 1),
        heartbeatSeconds: integer(o, 'heartbeatSeconds', p, 1, 3600), serverTime: integer(o, 'serverTime', p, 0),
      };
    case 'run': {
      noExtraKeys(o, p, ['type', 'runId', 'language', 'script', 'params', 'env', 'runAs', 'timeoutSeconds']);
      const runAs = nullableString(o, 'runAs', p, 64);
      if (runAs !== null && !USER_NAME.test(runAs)) throw new FieldError(`${p}.runAs`, 'must be a valid user name');
      return {
        type, runId: id(o, 'runId', p), language: oneOf(o, 'language', p, SCRIPT_LANGUAGES), script: string(o, 'script', p, L.scriptChars),
        params: string(o, 'params', p, L.paramsChars), env: env(o.env, `${p}.env`), runAs,
        timeoutSeconds: integer(o, 'timeoutSeconds', p, L.timeoutSecondsMin, L.timeoutSecondsMax),
      };
    }
    case 'cancel':
      noExtraKeys(o, p, ['type', 'runId']);
      return { type, runId: id(o, 'runId', p) };
    case 'ack': {
      noExtraKeys(o, p, ['type', 'seqs']);
      const seqs = array(o, 'seqs', p, L.ackSeqs).map((s, i) => {
        if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) throw new FieldError(`${p}.seqs[${i}]`, 'must be a positive integer');
        return s;
      });
      return { type, seqs };
    }
    case 'heartbeat-ack':
      noExtraKeys(o, p, ['type', 'serverTime']);
      return { type, serverTime: integer(o, 'serverTime', p, 0) };
    case 'error': {
      noExtraKeys(o, p, ['type', 'code', 'message', 'fatal', 'runId']);
      const runId = optionalString(o, 'runId', p, L.idChars);
      return { type, code: string(o, 'code', p, 64, 1), message: string(o, 'message', p, L.textChars), fatal: boolean(o, 'fatal', p), ...(runId === undefined ? {} : { runId }) };
    }
    default:
      throw new UnknownType(type);
  }
}

class UnknownType extends Error {
  constructor(readonly value: unknown) {
    super('unknown type');
  }
}

function decode(raw: unknown): ParseResult<Fields> {
  let value = raw;
  try {
    if (raw instanceof ArrayBuffer) value = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    else if (raw instanceof Uint8Array) value = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (err) {
    return { ok: false, error: { code: 'PROTOCOL_BAD_JSON', path: '$', message: `$ is not UTF-8 JSON: ${(err as Error).message}` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'PROTOCOL_BAD_FIELD', path: '$', message: '$ must be a JSON object with a "type"' } };
  }
  return { ok: true, message: value as Fields };
}

function run<T>(raw: unknown, read: (o: Fields) => T, side: string): ParseResult<T> {
  const decoded = decode(raw);
  if (!decoded.ok) return decoded;
  try {
    return { ok: true, message: read(decoded.message) };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, error: { code: 'PROTOCOL_BAD_FIELD', path: err.path, message: err.message } };
    if (err instanceof UnknownType) {
      return { ok: false, error: { code: 'PROTOCOL_UNKNOWN_TYPE', path: '$.type', message: `$.type ${JSON.stringify(err.value)} is not a ${side} message type` } };
    }
    throw err;
  }
}

/**
 * Validates a frame an agent sent (JSON text, its bytes, or an already-parsed value).
 * @example
 * const r = parseAgentMessage(frame);
 * if (!r.ok) ws.send(JSON.stringify({ type: 'error', code: r.error.code, message: r.error.message, fatal: false }));
 */
export function parseAgentMessage(raw: unknown): ParseResult<AgentMessage> {
  return run(raw, agentMessage, 'agent');
}

/** Validates a frame core sent; the agent checks every frame with it. */
export function parseServerMessage(raw: unknown): ParseResult<ServerMessage> {
  return run(raw, serverMessage, 'server');
}
