import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

/**
 * A screened script is stored once, and its hits point at it. Each hit used to carry the whole
 * script: a long script matching many rules was written up to a hundred times per run attempt.
 * Existing hits keep their script under their own id.
 */
export async function up(db: Knex): Promise<void> {
  const longText = isSqlite(db) ? 'text' : 'mediumtext';
  await db.schema.createTable('job_danger_scripts', (t) => {
    t.bigIncrements('id').primary();
    t.specificType('script', longText).notNullable();
  });
  await db.schema.alterTable('job_danger_hits', (t) => {
    t.bigInteger('script_id').unsigned();
  });
  await db.raw('insert into job_danger_scripts (id, script) select id, script from job_danger_hits');
  await db('job_danger_hits').update({ script_id: db.ref('id') });
  await db.schema.alterTable('job_danger_hits', (t) => {
    t.dropColumn('script');
  });
}

export async function down(db: Knex): Promise<void> {
  const longText = isSqlite(db) ? 'text' : 'mediumtext';
  await db.schema.alterTable('job_danger_hits', (t) => {
    t.specificType('script', longText).notNullable().defaultTo('');
  });
  await db('job_danger_hits').update({ script: db('job_danger_scripts').select('script').where('job_danger_scripts.id', db.ref('job_danger_hits.script_id')) });
  await db.schema.alterTable('job_danger_hits', (t) => {
    t.dropColumn('script_id');
  });
  await db.schema.dropTable('job_danger_scripts');
}
