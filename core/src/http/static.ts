import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import type { Context, Next } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** Where the portal's built files are, if the portal package is installed beside core and built. */
export function findPortalDir(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('@opsloom/portal');
    const dir = join(dirname(entry), 'public');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the portal's static files for GET/HEAD outside the API; `/` is index.html (the portal
 * routes by URL hash). Paths that leave the directory are never served.
 */
export function staticFiles(root: string) {
  const base = resolve(root);
  return async function serveStatic(ctx: Context, next: Next): Promise<void> {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/') || ctx.path.startsWith('/agent/')) return next();
    const rel = ctx.path === '/' ? 'index.html' : decodeURIComponent(ctx.path).replace(/^\/+/, '');
    const file = resolve(base, normalize(rel));
    if (!file.startsWith(base + sep)) return next();
    let stat;
    try { stat = statSync(file); } catch { return next(); }
    if (!stat.isFile()) return next();
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.length = stat.size;
    ctx.set('Cache-Control', rel === 'index.html' ? 'no-cache' : 'public, max-age=300');
    if (rel === 'index.html') ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
  };
}
