import type { Knex } from 'knex';
import * as m001 from './001-foundation.js';

interface Migration { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> }

/** Migrations are listed in code (not discovered from files) so they run the same from src and dist. */
const MIGRATIONS: [string, Migration][] = [
  ['001-foundation', m001],
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS.map(([, m]) => m),
  getMigrationName: (m) => MIGRATIONS.find(([, x]) => x === m)![0],
  getMigration: async (m) => m,
};
