import { PluginRuntimeError } from '../errors.js';

/**
 * Compiles the operator's `httpOrigins` allow-list to the canonical origins `http:` capabilities
 * name (lower-case host, no default port, no trailing slash), so `https://Only.example/` matches
 * `http:https://only.example`. An entry that is not an origin is refused at startup: left as it
 * was, it would match nothing and deny every fetch without saying why.
 * @example compileHttpOrigins(['https://API.example:443/']) // ['https://api.example']
 * @throws PluginRuntimeError `RUNTIME_OPTIONS_INVALID` naming the entry
 */
export function compileHttpOrigins(entries: readonly string[]): string[] {
  return entries.map((entry) => {
    const refuse = (why: string): never => {
      throw new PluginRuntimeError('RUNTIME_OPTIONS_INVALID', `httpOrigins entry "${entry}" ${why}; write an origin like https://api.example.com`);
    };
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return refuse('is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('must use http or https');
    if (url.username || url.password) refuse('must not carry credentials');
    if (url.pathname !== '/' || url.search || url.hash) refuse('has a path, query or fragment, so it is not an origin');
    return url.origin;
  });
}
