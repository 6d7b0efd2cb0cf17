import type { Knex } from 'knex';

/**
 * An installed plugin version's `org` holds only an organisation whose pinned key verified the
 * signature. What an unverified signature names (an untrusted organisation, approved by an
 * administrator) moves to `claimed_org`, so it cannot be read as a verified organisation.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('plugin_versions', (t) => {
    t.string('claimed_org', 64);
  });
  await db('plugin_versions').whereNot('signature_state', 'verified').whereNotNull('org').update({ claimed_org: db.ref('org'), org: null });
}

export async function down(db: Knex): Promise<void> {
  await db('plugin_versions').whereNotNull('claimed_org').update({ org: db.ref('claimed_org') });
  await db.schema.alterTable('plugin_versions', (t) => {
    t.dropColumn('claimed_org');
  });
}
