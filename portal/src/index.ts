/**
 * `@opsloom/portal` on the server side: where the built static portal lives, for core to serve
 * at `/`. (The browser code is bundled separately by `build.mjs`; see src/build/bundle.ts.)
 */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built portal (`portal/dist/public`: index.html, app.js, app.css).
 *
 * @example
 * app.use(serveStatic(PORTAL_PUBLIC_DIR)); // every non-API path falls back to index.html
 */
export const PORTAL_PUBLIC_DIR: string = fileURLToPath(new URL('./public/', import.meta.url));

/** Same as {@link PORTAL_PUBLIC_DIR}, as a function for callers that prefer one. */
export function portalPublicDir(): string {
  return PORTAL_PUBLIC_DIR;
}
