import type { Knex } from 'knex';
import * as m001 from './001-foundation.js';
import * as m002 from './002-flows.js';
import * as m003 from './003-jobs.js';
import * as m004 from './004-plugins.js';
import * as m005 from './005-registry.js';
import * as m006 from './006-cmdb.js';
import * as m007 from './007-secrets.js';
import * as m008 from './008-cron.js';
import * as m009 from './009-uploads.js';
import * as m010 from './010-sweeper-indexes.js';
import * as m011 from './011-catalog-signatures.js';
import * as m012 from './012-periodic-claims.js';
import * as m013 from './013-periodic-exclusions.js';
import * as m014 from './014-job-params.js';
import * as m015 from './015-group-queries.js';
import * as m016 from './016-capability-lists.js';
import * as m017 from './017-danger-scripts.js';
import * as m018 from './018-run-log-truncated.js';
import * as m019 from './019-claimed-plugin-orgs.js';
import * as m020 from './020-removed-hosts.js';
import * as m021 from './021-callback-deliveries.js';

interface Migration { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> }

/** Migrations are listed in code (not discovered from files) so they run the same from src and dist. */
const MIGRATIONS: [string, Migration][] = [
  ['001-foundation', m001],
  ['002-flows', m002],
  ['003-jobs', m003],
  ['004-plugins', m004],
  ['005-registry', m005],
  ['006-cmdb', m006],
  ['007-secrets', m007],
  ['008-cron', m008],
  ['009-uploads', m009],
  ['010-sweeper-indexes', m010],
  ['011-catalog-signatures', m011],
  ['012-periodic-claims', m012],
  ['013-periodic-exclusions', m013],
  ['014-job-params', m014],
  ['015-group-queries', m015],
  ['016-capability-lists', m016],
  ['017-danger-scripts', m017],
  ['018-run-log-truncated', m018],
  ['019-claimed-plugin-orgs', m019],
  ['020-removed-hosts', m020],
  ['021-callback-deliveries', m021],
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS.map(([, m]) => m),
  getMigrationName: (m) => MIGRATIONS.find(([, x]) => x === m)![0],
  getMigration: async (m) => m,
};
