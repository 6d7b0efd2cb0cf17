import { z } from 'zod';

/** A project path parameter: the project's id or key. */
export const projectParams = z.object({ projectId: z.string().min(1).max(64) });

/** A short human name. */
export const name = z.string().trim().min(1).max(128);

/** A key usable in URLs: lower-case letters, digits and dashes. */
export const slug = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'use 2–63 lower-case letters, digits or dashes, starting with a letter');

/** Query-string integers arrive as text. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Epoch milliseconds as the API shows times: an ISO-8601 string (null stays null).
 *
 * @example
 * iso(0) // '1970-01-01T00:00:00.000Z'
 */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
