import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when sealed text cannot be opened: another key, another binding, or tampering. */
export class SecretCipherError extends Error {
  readonly code = 'SECRET_UNREADABLE';
}

/**
 * AES-256-GCM sealing of values at rest. The master secret is `OPSLOOM_SECRET_KEY` or a random key
 * generated once at `<data dir>/keys/secret.key` (mode 0600); each use derives its own key from it
 * with HKDF-SHA256 and a `purpose`, so one domain's ciphertexts never open with another's key.
 * An optional `binding` (additional authenticated data, e.g. `projectId/name`) ties a ciphertext to
 * its row: a value copied to another row of the database does not open.
 *
 * @example
 * const cipher = SecretCipher.load({ secretKey: undefined, dataDir: './data' }, 'registry-credentials');
 * const sealed = cipher.seal('hunter2', 'uplink:acme'); // 'v1:…'
 * cipher.open(sealed, 'uplink:acme'); // 'hunter2'
 */
export class SecretCipher {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** A cipher for `purpose` from the configured secret or the data directory's key file. */
  static load(config: { secretKey: string | undefined; dataDir: string }, purpose: string): SecretCipher {
    const master = config.secretKey ?? readOrCreateKeyFile(config.dataDir);
    return new SecretCipher(Buffer.from(hkdfSync('sha256', master, 'opsloom-secrets', purpose, 32)));
  }

  /** Encrypts `plain`; the result is text safe for any column. */
  seal(plain: string, binding = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(binding, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /**
   * Decrypts what {@link seal} produced with the same key and binding.
   * @throws SecretCipherError when the text is malformed, altered, or sealed with another key or binding.
   */
  open(sealed: string, binding = ''): string {
    if (!sealed.startsWith(`${FORMAT}:`)) throw new SecretCipherError('unknown sealed-value format');
    const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretCipherError('sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(binding, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretCipherError('the value does not open with this server\'s key (was OPSLOOM_SECRET_KEY or <data>/keys/secret.key changed?)');
    }
  }
}

/** The key file's path under a data directory. */
export function secretKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'secret.key');
}

function readOrCreateKeyFile(dataDir: string): string {
  const file = secretKeyFile(dataDir);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  try {
    // 'wx': when two processes race on first start, one writes and both read the winner's key.
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // the umask may have widened the mode given at creation
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}
