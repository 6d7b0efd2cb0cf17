import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';

/**
 * Encrypts sensitive script parameters at rest with AES-256-GCM. The key is derived (HKDF-SHA256)
 * from `OPSLOOM_SECRET_KEY`, or from a random key file `<data dir>/secret.key` (mode 0600) created on
 * first use, so a copy of the database alone does not reveal them.
 *
 * @example
 * const cipher = ParamCipher.load({ secretKey: undefined, dataDir: './data' });
 * const sealed = cipher.seal('--password hunter2'); // 'v1:…'
 * cipher.open(sealed); // '--password hunter2'
 */
export class ParamCipher {
  private constructor(private readonly key: Buffer) {}

  /** Derives the key from the configured secret, or from the data directory's key file. */
  static load(config: { secretKey: string | undefined; dataDir: string }): ParamCipher {
    const secret = config.secretKey ?? readOrCreateKeyFile(config.dataDir);
    const key = Buffer.from(hkdfSync('sha256', secret, 'opsloom', 'job-script-params', 32));
    return new ParamCipher(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** @throws Error when the text was not sealed with this key (or was altered). */
  open(sealed: string): string {
    if (!sealed.startsWith(`${VERSION}:`)) throw new Error('unknown sealed-parameter format');
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

function readOrCreateKeyFile(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': when two processes race, one creates the file and the other reads the winner's key.
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}
