import type { Knex } from 'knex';
import { DEFAULT_DANGER_RULES } from '../../job/danger/default-rules.js';

/**
 * The job service (bk-job): enrolment tokens, hosts and their agents, the script library, high-risk
 * command rules and their hits, jobs, per-host runs and their logs. Times are epoch milliseconds.
 */
export async function up(db: Knex): Promise<void> {
  const mysql = db.client.config.client === 'mysql2';
  const longText = mysql ? 'mediumtext' : 'text';
  const blob = mysql ? 'mediumblob' : 'blob';

  await db.schema.createTable('job_enrol_tokens', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at');
    t.bigInteger('revoked_at');
    t.bigInteger('last_used_at');
    t.integer('uses').notNullable().defaultTo(0);
    t.index(['project_id']);
  });

  // A host is one (cloud area, IP) of a project; its agent's identity and connection live on the same row.
  await db.schema.createTable('job_hosts', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('cloud_area').notNullable();
    t.string('ip', 45).notNullable();
    t.string('hostname', 255).notNullable();
    t.text('facts').notNullable();
    t.string('agent_id', 26).notNullable().unique();
    t.string('credential_hash', 64).notNullable();
    t.boolean('online').notNullable().defaultTo(false);
    t.string('gateway_id', 26);
    t.string('connection_id', 26);
    t.bigInteger('last_seen_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['project_id', 'cloud_area', 'ip']);
    t.index(['online', 'last_seen_at']);
  });

  await db.schema.createTable('job_scripts', (t) => {
    t.string('id', 26).primary();
    // null = a public script, shared by every project and managed by administrators
    t.string('project_id', 26).references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.string('language', 16).notNullable();
    t.text('description');
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['project_id', 'name']);
  });
  await db.schema.createTable('job_script_versions', (t) => {
    t.string('id', 26).primary();
    t.string('script_id', 26).notNullable().references('job_scripts.id').onDelete('CASCADE');
    t.string('version', 64).notNullable();
    t.specificType('content', longText).notNullable();
    t.string('status', 16).notNullable();
    t.text('description');
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['script_id', 'version']);
  });

  await db.schema.createTable('job_danger_rules', (t) => {
    t.string('id', 26).primary();
    t.string('expression', 250).notNullable();
    t.string('languages', 128).notNullable();
    t.string('description', 512).notNullable();
    t.string('action', 16).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('position').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await db.schema.createTable('job_danger_hits', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('at').notNullable();
    t.string('rule_id', 26).notNullable();
    t.string('expression', 250).notNullable();
    t.string('action', 16).notNullable();
    t.string('description', 512).notNullable();
    t.string('project_id', 26).notNullable();
    t.string('user_id', 26);
    t.string('username', 64);
    t.string('origin', 16).notNullable();
    t.string('language', 16).notNullable();
    t.integer('line').notNullable();
    t.text('line_content').notNullable();
    t.specificType('script', longText).notNullable();
    t.boolean('blocked').notNullable();
    t.string('job_id', 26);
    t.index(['project_id', 'id']);
  });

  await db.schema.createTable('job_instances', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.string('origin', 16).notNullable();
    t.string('created_by', 26);
    t.string('created_by_name', 64);
    t.string('status', 16).notNullable();
    t.string('language', 16).notNullable();
    t.specificType('script', longText).notNullable();
    t.string('script_id', 26);
    t.string('script_version_id', 26);
    t.text('params_plain');
    t.text('params_cipher');
    t.boolean('params_sensitive').notNullable().defaultTo(false);
    t.string('run_as', 64);
    t.integer('timeout_seconds').notNullable();
    t.string('rolling_expression', 128);
    t.string('rolling_mode', 24);
    t.integer('current_batch').notNullable().defaultTo(1);
    t.integer('batch_count').notNullable().defaultTo(1);
    t.integer('host_count').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('ended_at');
    t.index(['project_id', 'id']);
    t.index(['status']);
    t.index(['script_id']);
    t.index(['script_version_id']);
  });
  // One row per host and attempt; a retry supersedes the previous attempt's row. The id is the run id agents see.
  await db.schema.createTable('job_host_runs', (t) => {
    t.string('id', 26).primary();
    t.string('job_id', 26).notNullable().references('job_instances.id').onDelete('CASCADE');
    t.string('host_id', 26);
    t.integer('cloud_area').notNullable();
    t.string('ip', 45).notNullable();
    t.string('agent_id', 26);
    t.integer('batch').notNullable();
    t.integer('attempt').notNullable();
    t.boolean('superseded').notNullable().defaultTo(false);
    t.string('status', 16).notNullable();
    t.integer('exit_code');
    t.string('signal', 32);
    t.string('tag', 300);
    t.string('failure_code', 64);
    t.text('failure_message');
    t.bigInteger('dispatched_at');
    t.bigInteger('started_at');
    t.bigInteger('ended_at');
    t.bigInteger('deadline_at');
    t.bigInteger('log_bytes');
    t.index(['job_id', 'superseded', 'batch']);
    t.index(['ended_at', 'deadline_at']);
    t.index(['agent_id', 'ended_at']);
  });
  await db.schema.createTable('job_run_logs', (t) => {
    t.string('run_id', 26).notNullable().references('job_host_runs.id').onDelete('CASCADE');
    t.bigInteger('offset').notNullable();
    t.bigInteger('end_offset').notNullable();
    t.string('stream', 8).notNullable();
    t.specificType('data', blob).notNullable();
    t.primary(['run_id', 'offset']);
  });

  const now = Date.now();
  await db('job_danger_rules').insert(DEFAULT_DANGER_RULES.map((r, i) => ({
    id: `default-rule-${String(i + 1).padStart(2, '0')}`, expression: r.expression, languages: r.languages.join(','),
    description: r.description, action: r.action, enabled: true, position: i + 1, created_at: now, updated_at: now,
  })));
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'job_run_logs', 'job_host_runs', 'job_instances', 'job_danger_hits', 'job_danger_rules', 'job_script_versions',
    'job_scripts', 'job_hosts', 'job_enrol_tokens',
  ]) await db.schema.dropTableIfExists(table);
}
