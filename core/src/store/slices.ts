/**
 * `items` in parts of at most `size`, for statements over many rows: SQLite refuses an insert of
 * over 500 rows (knex writes one compound SELECT) and drivers limit a statement's parameters.
 */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
