import type { CompiledNotifyOptions } from './notify-options.js';
import { NotifyDeliveryError, NotifyOriginRefusedError } from './notify-errors.js';

/** What came back from a webhook: its status and the first bytes of its answer. */
export interface WebhookAnswer {
  status: number;
  /** Up to `responseBytes` of the body as text. */
  text: string;
}

// Headers a caller may not set: they belong to the transport or would let a message pose as something else.
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'cookie']);

/**
 * The origin of `url` if the operator allows notifications to it.
 * @throws NotifyOriginRefusedError, NotifyDeliveryError (not an http(s) URL)
 */
export function allowedOrigin(url: string, options: CompiledNotifyOptions, channel: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NotifyDeliveryError(channel, 'the webhook is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new NotifyDeliveryError(channel, `webhooks must be http or https, not ${u.protocol}`);
  if (u.username || u.password) throw new NotifyDeliveryError(channel, 'webhook URLs must not carry credentials; put them in headers from a secret');
  if (!options.origins.has(u.origin)) throw new NotifyOriginRefusedError(u.origin);
  return u;
}

/**
 * POSTs JSON to an allowed URL: no redirects (a 3xx is a failure, so a hook cannot bounce the
 * message elsewhere), a time limit, a cap on the request and on what is read of the answer.
 * Messages name the origin only: a chat webhook's path is its secret.
 * @throws NotifyOriginRefusedError, NotifyDeliveryError
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, options: CompiledNotifyOptions, channel: string): Promise<WebhookAnswer> {
  const u = allowedOrigin(url, options, channel);
  const payload = JSON.stringify(body ?? null);
  if (Buffer.byteLength(payload) > options.requestBytes) throw new NotifyDeliveryError(channel, `the message is larger than ${options.requestBytes} bytes`);
  const sent: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (FORBIDDEN_HEADERS.has(k.toLowerCase())) throw new NotifyDeliveryError(channel, `header ${k} may not be set`);
    sent[k] = v;
  }
  sent['content-type'] ??= 'application/json; charset=utf-8';
  let res: Response;
  try {
    res = await fetch(u, { method: 'POST', headers: sent, body: payload, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : `request failed (${(e.cause as Error | undefined)?.message ?? e.message})`;
    throw new NotifyDeliveryError(channel, `${u.origin}: ${why}`);
  }
  const text = await readCapped(res, options.responseBytes);
  if (res.status >= 300 && res.status < 400) throw new NotifyDeliveryError(channel, `${u.origin} answered with a redirect (${res.status}); redirects are not followed`);
  if (res.status >= 400) throw new NotifyDeliveryError(channel, `${u.origin} answered ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, text };
}

async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
