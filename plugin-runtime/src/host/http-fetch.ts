import { httpUrlAllowed } from '../manifest/index.js';
import { ErrorCode, PluginRuntimeError } from '../errors.js';

/** What a plugin passes to `host.http.fetch`. */
export interface PluginHttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a plugin gets back: the body as text, capped in size. */
export interface PluginHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  url: string;
}

/** Settings of {@link fetchForPlugin}. */
export interface PluginFetchOptions {
  fetch: typeof fetch;
  /** Effective `http:<origin>` capabilities (declared ∩ approved ∩ operator list). */
  granted: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const MAX_REDIRECTS = 5;

/** Validates the untrusted request shape a plugin sent. */
export function parsePluginHttpRequest(args: unknown): PluginHttpRequest {
  const bad = (m: string): never => {
    throw new PluginRuntimeError(ErrorCode.HttpFailed, `host.http.fetch: ${m}`);
  };
  if (typeof args !== 'object' || args === null) return bad('expects {url, method?, headers?, body?}');
  const { url, method, headers, body } = args as Record<string, unknown>;
  if (typeof url !== 'string') return bad('url must be a string');
  const req: PluginHttpRequest = { url };
  if (method !== undefined) {
    if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) return bad(`method must be one of ${[...METHODS].join(', ')}`);
    req.method = method.toUpperCase();
  }
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) {
      return bad('headers must be an object of strings');
    }
    req.headers = { ...(headers as Record<string, string>) };
  }
  if (body !== undefined) {
    if (typeof body !== 'string') return bad('body must be a string (JSON.stringify objects first)');
    req.body = body;
  }
  return req;
}

/**
 * Fetches for a plugin: only declared and approved origins, redirects followed by hand and only
 * within the same origin, the body read up to `maxBytes`.
 */
export async function fetchForPlugin(req: PluginHttpRequest, opts: PluginFetchOptions): Promise<PluginHttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new PluginRuntimeError(ErrorCode.HttpFailed, `host.http.fetch: "${req.url}" is not an absolute URL`);
  }
  if (!httpUrlAllowed(opts.granted, url)) {
    throw new PluginRuntimeError(ErrorCode.CapabilityDenied, `http to origin ${url.origin} is not allowed: declare and get approved "http:${url.origin}"`);
  }
  const origin = url.origin;
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  let method = req.method ?? 'GET';
  let body = req.body;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await opts.fetch(url, { method, headers: req.headers, body, redirect: 'manual', signal });
    } catch (err) {
      throw new PluginRuntimeError(ErrorCode.HttpFailed, `http ${method} ${url.origin}${url.pathname} failed: ${(err as Error).message}`);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new PluginRuntimeError(ErrorCode.HttpFailed, `http ${res.status} from ${origin} redirects to "${location.slice(0, 200)}", which is not a URL`);
      }
      if (next.origin !== origin) {
        throw new PluginRuntimeError(ErrorCode.CapabilityDenied, `http redirect from ${origin} to another origin (${next.origin}) refused`);
      }
      if (hop + 1 >= MAX_REDIRECTS) throw new PluginRuntimeError(ErrorCode.HttpFailed, `http: more than ${MAX_REDIRECTS} redirects`);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== 'set-cookie') headers[k] = v;
    });
    return { status: res.status, headers, body: await readCapped(res, opts.maxBytes), url: url.href };
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new PluginRuntimeError(ErrorCode.HttpFailed, `http response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PluginRuntimeError(ErrorCode.HttpFailed, `http response exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
