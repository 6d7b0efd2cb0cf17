import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new identifier: 10 characters of millisecond time then 12 of randomness (Crockford base32,
 * lower case), so ids sort by creation time and index well in both SQLite and MySQL.
 * @example newId() // '01hx3k9m2a8f0c4d7e1b2c3d4e'
 */
export function newId(): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return time + rand;
}
