import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPackageName } from '../package-name.js';
import type { TarballLimits } from '../trust/tarball.js';
import type { VerdaccioMiddlewarePlugin } from './bridge.js';
import { checkPublishBody } from './publish-check.js';

/** Called once per version after the registry stored it (HTTP 2xx sent). */
export type PublishListener = (packageName: string, version: string, info: { username: string | undefined }) => void | Promise<void>;

/** Options of {@link createPublishGate}. */
export interface PublishGateOptions {
  /** Largest publish request body accepted, in bytes (the tarball travels base64 inside it). */
  maxBodyBytes: number;
  limits: TarballLimits;
  onPublish: PublishListener | undefined;
  onError(err: unknown, context: string): void;
}

type GateRequest = IncomingMessage & { body?: unknown; _body?: boolean; remote_user?: { name?: string } };
type Next = (err?: unknown) => void;

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Splits `/@scope%2fname/-rev/3` (or `/@scope/name/...`) into the package name and the rest. */
export function parsePackagePath(url: string): { name: string; rest: string[] } | undefined {
  const path = url.split('?')[0];
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const first = segments[0] ?? '';
  if (first.startsWith('@') && first.includes('/')) return { name: first, rest: segments.slice(1) };
  if (first.startsWith('@')) return { name: `${first}/${segments[1] ?? ''}`, rest: segments.slice(2) };
  return { name: first, rest: segments.slice(1) };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A Verdaccio middleware plugin in front of the publish routes. It refuses, with a message npm
 * prints, any publish whose tarball is not a valid Opsloom plugin (see checkPublishBody), refuses
 * the legacy per-version/per-tarball upload routes that would bypass that check, and reports
 * every stored version to `onPublish` once the response succeeded.
 * The body it parses is left on `req.body` (with body-parser's `_body` flag) for Verdaccio.
 */
export function createPublishGate(options: PublishGateOptions): VerdaccioMiddlewarePlugin {
  const gate = (req: GateRequest, res: ServerResponse, next: Next): void => {
    if (req.method !== 'PUT' || !req.url || req.url.startsWith('/-/')) {
      next();
      return;
    }
    const target = parsePackagePath(req.url);
    if (!target || !isPackageName(target.name)) {
      next();
      return;
    }
    if (target.rest.length > 0 && target.rest[0] !== '-rev') {
      sendError(res, 405, `this registry only accepts plugins through "npm publish"; PUT ${req.url.split('?')[0]} is disabled`);
      return;
    }
    // Anonymous requests are refused by Verdaccio itself; do not spend effort parsing them.
    if (!req.remote_user?.name) {
      next();
      return;
    }
    void (async () => {
      const raw = await readBody(req, options.maxBodyBytes);
      if (!raw) {
        sendError(res, 413, `the package is larger than ${options.maxBodyBytes} bytes`);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendError(res, 400, 'the publish request body is not valid JSON');
        return;
      }
      const check = await checkPublishBody(target.name, body, options.limits);
      if (check.problems.length > 0) {
        sendError(res, 400, check.problems.join(' | '));
        return;
      }
      req.body = body;
      req._body = true;
      if (check.versions.length > 0 && options.onPublish) {
        const listener = options.onPublish;
        const username = req.remote_user?.name;
        res.on('finish', () => {
          if (res.statusCode < 200 || res.statusCode >= 300) return;
          for (const version of check.versions) {
            Promise.resolve()
              .then(() => listener(target.name, version, { username }))
              .catch((err: unknown) => options.onError(err, `onPublish(${target.name}@${version})`));
          }
        });
      }
      next();
    })().catch((err: unknown) => {
      options.onError(err, 'publish gate');
      if (!res.headersSent) sendError(res, 500, 'the registry failed to check this publish; see the server log');
    });
  };
  return {
    register_middlewares(app) {
      app.use(gate as never);
    },
  };
}
