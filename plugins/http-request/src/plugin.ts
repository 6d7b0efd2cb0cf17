/**
 * http-request: calls a customer system through `host.http.fetch` (only origins the manifest
 * declares, the operator approved and allows), checks the status, extracts values by JSON path,
 * and retries with backoff. Retries are polls, so the wait needs no timer in the sandbox and
 * survives a restart.
 */
import { definePlugin, host, type HostHttpResponse, type PluginContext } from '@opsloom/plugin-sdk';
import { base64 } from './base64.js';
import { evaluate, parseJsonPath } from './json-path.js';
import { PluginFailure } from '@opsloom/plugin-sdk';
import { buildSpec, type Inputs, type RequestSpec } from './request-spec.js';

interface Outputs {
  [key: string]: unknown;
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  json: unknown;
  extracted: Record<string, unknown>;
  attempts: number;
}

/** State between attempts. */
interface RetryState {
  spec: RequestSpec;
  attempt: number;
}

const MAX_DELAY_MS = 60_000;
/** Host errors worth another attempt: the request failed on the way, or we were rate limited. */
const RETRYABLE_CODES = new Set(['HTTP_FAILED', 'HOST_RATE_LIMITED']);

export default definePlugin<Inputs, Outputs, RetryState>({
  execute(inputs, ctx) {
    return attempt({ spec: buildSpec(inputs), attempt: 1 }, ctx);
  },
  poll(state, ctx) {
    return attempt(state, ctx);
  },
});

/** Headers with the secret-derived authorization added. */
async function authorised(spec: RequestSpec): Promise<Record<string, string>> {
  const headers = { ...spec.headers };
  const auth = spec.auth;
  if (!auth) return headers;
  const secret = await host.secrets.read(auth.secret);
  if (auth.type === 'bearer') headers.authorization = `Bearer ${secret}`;
  else if (auth.type === 'basic') headers.authorization = `Basic ${base64(`${auth.username ?? ''}:${secret}`)}`;
  else headers[auth.header ?? 'x-api-key'] = secret;
  return headers;
}

function delayFor(spec: RequestSpec, attempt: number): number {
  return Math.min(MAX_DELAY_MS, spec.retryDelayMs * 2 ** (attempt - 1));
}

async function attempt(state: RetryState, ctx: PluginContext) {
  const { spec } = state;
  const canRetry = state.attempt <= spec.retries;
  const retry = (why: string) => {
    const delay = delayFor(spec, state.attempt);
    ctx.log.warn(`attempt ${state.attempt} of ${spec.retries + 1}: ${why}; retrying in ${delay} ms`);
    return ctx.poll({ spec, attempt: state.attempt + 1 }, delay);
  };
  let res: HostHttpResponse;
  try {
    res = await host.http.fetch(spec.url, { method: spec.method, headers: await authorised(spec), ...(spec.body !== undefined ? { body: spec.body } : {}) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (canRetry && RETRYABLE_CODES.has(code)) return retry((err as Error).message);
    throw err;
  }
  const expected = spec.expectStatus ? spec.expectStatus.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!expected) {
    if (canRetry && spec.retryOn.includes(res.status)) return retry(`status ${res.status}`);
    throw new PluginFailure(
      'HTTP_STATUS_UNEXPECTED',
      `${spec.method} ${stripQuery(spec.url)} answered ${res.status}, expected ${spec.expectStatus ? spec.expectStatus.join(' or ') : '2xx'}${state.attempt > 1 ? ` (after ${state.attempt} attempts)` : ''}: ${res.body.slice(0, 300)}`,
    );
  }
  const json = parseJson(res.body);
  const extracted: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(spec.extract)) {
    if (json === undefined) throw new PluginFailure('RESPONSE_NOT_JSON', `cannot extract "${name}": the response body is not JSON`);
    const value = evaluate(json, parseJsonPath(path));
    if (value === undefined && !spec.allowMissing) {
      throw new PluginFailure('EXTRACT_NOT_FOUND', `the response has nothing at ${path} (for "${name}"); set allowMissing to get null instead`);
    }
    extracted[name] = value === undefined ? null : value;
  }
  ctx.log.info(`${spec.method} ${stripQuery(spec.url)} → ${res.status}${state.attempt > 1 ? ` on attempt ${state.attempt}` : ''}`);
  const truncated = res.body.length > spec.maxBodyChars;
  return {
    status: res.status,
    ok: res.ok,
    headers: res.headers,
    body: truncated ? res.body.slice(0, spec.maxBodyChars) : res.body,
    bodyTruncated: truncated,
    json: json === undefined || JSON.stringify(json).length > spec.maxBodyChars ? null : json,
    extracted,
    attempts: state.attempt,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Query strings may carry tokens: logs and errors show the URL without them. */
function stripQuery(url: string): string {
  const at = url.search(/[?#]/);
  return at < 0 ? url : url.slice(0, at);
}
