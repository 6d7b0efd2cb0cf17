/**
 * A tiny same-origin front for end-to-end tests and the benchmark: serves the built portal and
 * forwards `/api/*` to a core server, keeping the Host header so core's same-origin check sees
 * the page's own origin (the session cookie is SameSite=strict). Core will serve the portal
 * itself later; this stands in until then.
 */
import { createServer, request, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/** A running front server. */
export interface PortalServer {
  url: string;
  /** Ends every open connection, as a network hiccup would, and goes on serving. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts the front on a free port of 127.0.0.1. */
export async function startPortalServer(o: { publicDir: string; apiUrl: string }): Promise<PortalServer> {
  const api = new URL(o.apiUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/api/')) {
      const upstream = request({
        host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers,
      }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      // A client that leaves (a dropped event stream) leaves core too.
      res.on('close', () => upstream.destroy());
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('core is unreachable');
      });
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(o.publicDir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(normalize(o.publicDir))) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then((body) => {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    }, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => server.closeAllConnections(),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
