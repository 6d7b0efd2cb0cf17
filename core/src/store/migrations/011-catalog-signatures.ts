import type { Knex } from 'knex';

/**
 * The catalog keeps each version's signature, so a change of the trust store re-verifies it
 * instead of trusting the organisation and key id the metadata claims. `manifest_signed` records
 * whether the signature covers the manifest the catalog lists (null: unsigned, or indexed before
 * this migration).
 *
 * Rows indexed before hold no signature, so nothing vouches for their `trusted` mark: they drop
 * to `untrusted` until the indexer re-reads their package, which its first reconcile after start
 * does for every package.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('registry_catalog', (t) => {
    t.text('signature');
    t.boolean('manifest_signed');
  });
  await db('registry_catalog').where({ signature_state: 'trusted' }).update({ signature_state: 'untrusted' });
}

export async function down(db: Knex): Promise<void> {
  // The older code knows no `invalid`; it judges claims alone, so those become plain claims again.
  await db('registry_catalog').where({ signature_state: 'invalid' }).whereNull('org').update({ signature_state: 'unsigned' });
  await db('registry_catalog').where({ signature_state: 'invalid' }).update({ signature_state: 'untrusted' });
  await db.schema.alterTable('registry_catalog', (t) => {
    t.dropColumn('signature');
    t.dropColumn('manifest_signed');
  });
}
