/**
 * `items` in parts of at most `size`, for statements over many rows: SQLite refuses an insert of
 * over 500 rows (knex writes one compound SELECT) and drivers limit a statement's parameters.
 */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Bytes of large values one statement should carry: MySQL refuses a statement over its
 * max_allowed_packet (16 MiB by default), and values travel escaped (a buffer as hex, twice its
 * size; a string's quotes and backslashes doubled), so a quarter of it.
 */
export const STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * `items` in parts of at most `size` whose `weigh`ed bytes add up to at most `bytes` (an item
 * heavier than that goes alone), for rows carrying large values (see {@link STATEMENT_BYTES}).
 */
export function slicesWithin<T>(items: readonly T[], size: number, bytes: number, weigh: (item: T) => number): T[][] {
  const out: T[][] = [];
  let part: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weigh(item);
    if (part.length > 0 && (part.length === size || weight + w > bytes)) {
      out.push(part);
      part = [];
      weight = 0;
    }
    part.push(item);
    weight += w;
  }
  if (part.length > 0) out.push(part);
  return out;
}
