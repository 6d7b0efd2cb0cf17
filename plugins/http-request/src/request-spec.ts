import { parseJsonPath } from './json-path.js';
import { PluginFailure } from '@opsloom/plugin-sdk';

/** Secret names this package declares (`secrets.read:<name>`); the manifest is static, so the set is fixed. */
export const AUTH_SECRETS = ['http-request-auth', 'http-request-auth-2', 'http-request-auth-3'] as const;

/** The `auth` input: how to turn a project secret into a request header. */
export interface AuthInput {
  type: 'bearer' | 'basic' | 'header';
  secret: (typeof AUTH_SECRETS)[number];
  username?: string;
  header?: string;
}

/** Inputs, as the manifest's schema describes them. */
export interface Inputs {
  method?: string;
  url: string;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  body?: unknown;
  auth?: AuthInput;
  expectStatus?: number[];
  extract?: Record<string, string>;
  allowMissing?: boolean;
  retries?: number;
  retryOn?: number[];
  retryDelayMs?: number;
  maxBodyChars?: number;
}

/**
 * Everything needed to (re)send the request, as plain JSON: it is the poll state between retries.
 * It holds the secret's name, never its value; the value is read again for each attempt.
 */
export interface RequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  auth?: AuthInput;
  expectStatus?: number[];
  extract: Record<string, string>;
  allowMissing: boolean;
  retries: number;
  retryOn: number[];
  retryDelayMs: number;
  maxBodyChars: number;
}

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** Appends query parameters before any fragment. */
function withQuery(url: string, query: Inputs['query']): string {
  if (!query || Object.keys(query).length === 0) return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return `${base}${base.includes('?') ? '&' : '?'}${qs}`;
}

/** Checks the inputs (URL, headers, JSON paths) before anything is sent, and builds the spec. */
export function buildSpec(inputs: Inputs): RequestSpec {
  if (!HTTP_URL.test(inputs.url)) {
    throw new PluginFailure('URL_INVALID', `url "${inputs.url}" must be an absolute http(s) URL without credentials, e.g. https://api.example.com/v1/status`);
  }
  const extract = inputs.extract ?? {};
  for (const path of Object.values(extract)) parseJsonPath(path);
  const headers: Record<string, string> = { ...(inputs.headers ?? {}) };
  for (const name of Object.keys(headers)) {
    if (!HEADER_NAME.test(name)) throw new PluginFailure('HEADER_INVALID', `"${name}" is not a valid header name`);
  }
  if (inputs.auth?.type === 'header' && inputs.auth.header !== undefined && !HEADER_NAME.test(inputs.auth.header)) {
    throw new PluginFailure('HEADER_INVALID', `auth.header "${inputs.auth.header}" is not a valid header name`);
  }
  const method = (inputs.method ?? 'GET').toUpperCase();
  let body: string | undefined;
  if (inputs.body !== undefined && inputs.body !== null) {
    if (method === 'GET' || method === 'HEAD') throw new PluginFailure('BODY_NOT_ALLOWED', `a ${method} request has no body: use POST, PUT or PATCH, or move the data to query`);
    if (typeof inputs.body === 'string') {
      body = inputs.body;
    } else {
      body = JSON.stringify(inputs.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  const spec: RequestSpec = {
    method,
    url: withQuery(inputs.url, inputs.query),
    headers,
    extract,
    allowMissing: inputs.allowMissing ?? false,
    retries: inputs.retries ?? 2,
    retryOn: inputs.retryOn ?? [429, 502, 503, 504],
    retryDelayMs: inputs.retryDelayMs ?? 1000,
    maxBodyChars: inputs.maxBodyChars ?? 65536,
  };
  if (body !== undefined) spec.body = body;
  if (inputs.auth) spec.auth = inputs.auth;
  if (inputs.expectStatus) spec.expectStatus = inputs.expectStatus;
  return spec;
}
