import type { Knex } from 'knex';

/**
 * LIKE conditions that match a user's text literally, alike on SQLite and MySQL/MariaDB. `!` is
 * the escape character, named in the condition: SQLite's LIKE has no escape character by default,
 * so the backslash MySQL assumes escaped nothing there, and a search holding `_` or `%` found nothing.
 */
type Position = 'contains' | 'starts';

function pattern(text: string, position: Position): string {
  const literal = text.replace(/[!%_]/g, '!$&');
  return position === 'contains' ? `%${literal}%` : `${literal}%`;
}

/**
 * Adds `column LIKE <text> ESCAPE '!'` to a query, ORed over several columns when given several.
 *
 * @example
 * whereLike(query, ['ip', 'hostname'], 'web_01') // ip or hostname contains "web_01", "_" literal
 */
export function whereLike<Q extends Knex.QueryBuilder>(query: Q, columns: string[], text: string, position: Position = 'contains'): Q {
  const value = pattern(text, position);
  return query.where((w) => {
    for (const column of columns) w.orWhereRaw("?? like ? escape '!'", [column, value]);
  }) as Q;
}
