import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { guardedLookup, systemResolver, type Resolver } from './address-guard.js';

/** Statuses whose response has no body (a Response built with one throws). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The `fetch` plugins' HTTP calls go through: Node's http and https clients with sockets that
 * connect only to addresses plugins may reach (see address-guard.ts); the global fetch offers no
 * hook on the address it connects to. Redirects are not followed (the caller follows them by
 * hand, checking each origin).
 */
export function guardedFetch(resolve: Resolver = systemResolver): typeof fetch {
  const lookup = guardedLookup(resolve);
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: ${url.protocol} URLs are not supported`);
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined && !headers.has('content-length')) headers.set('content-length', String(Buffer.byteLength(body)));
    const sent: Record<string, string> = {};
    headers.forEach((value, name) => { sent[name] = value; });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolveRes, reject) => {
      const req = send(url, { method: init.method ?? 'GET', headers: sent, lookup, signal: init.signal ?? undefined }, resolveRes);
      req.on('error', reject);
      req.end(body);
    });
    const out = new Headers();
    for (let i = 0; i < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    const status = res.statusCode ?? 502;
    if (NO_BODY.has(status)) res.resume();
    return new Response(NO_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: out });
  }) as typeof fetch;
}
