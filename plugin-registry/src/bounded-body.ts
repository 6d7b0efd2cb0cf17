import { RegistryError, RegistryErrorCode } from './errors.js';

/** The largest plugin tarball read from a registry. */
export const MAX_TARBALL_BYTES = 50 * 1024 * 1024;
/** The largest packument read from a registry: thousands of versions fit; a remote's flood does not. */
export const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a registry response's body, at most `max` bytes: what a registry (or a remote one behind
 * it) sends is not trusted to be of a sane size.
 */
export async function readBounded(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  const tooLarge = (size: string) => new RegistryError(what.startsWith('tarball') ? RegistryErrorCode.UnsafeArchive : RegistryErrorCode.RequestFailed,
    `${what} is ${size} bytes, over the ${max}-byte limit`, { max });
  if (declared > max) {
    await res.body?.cancel();
    throw tooLarge(String(declared));
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw tooLarge(`more than ${size}`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A packument response's JSON, read within {@link MAX_PACKUMENT_BYTES}. */
export async function readPackument<T>(res: Response, name: string): Promise<T> {
  const body = await readBounded(res, MAX_PACKUMENT_BYTES, `the packument of ${name}`);
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.RequestFailed, `the packument of ${name} is not JSON: ${(err as Error).message}`, { name });
  }
}
