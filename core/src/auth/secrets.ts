import { createHash, randomBytes } from 'node:crypto';

/** Bearer secret kinds: API tokens for machines, sessions for people signed in. */
export type SecretKind = 'token' | 'session';
const PREFIX: Record<SecretKind, string> = { token: 'olt_', session: 'ols_' };

/** A new high-entropy bearer secret (256 bits), prefixed so leaked ones are recognisable by scanners. */
export function newBearerSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function bearerKind(secret: string): SecretKind | undefined {
  if (secret.startsWith(PREFIX.token)) return 'token';
  if (secret.startsWith(PREFIX.session)) return 'session';
  return undefined;
}

/** SHA-256 is enough for 256-bit random secrets (no dictionary to attack); stored hex. */
export function hashBearer(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
