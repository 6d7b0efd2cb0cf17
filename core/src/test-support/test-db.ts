import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { closeDb, openDb, type Db } from '../store/db.js';
import { testDatabase } from './test-server.js';

/**
 * A migrated database of its own for a store test, on the suite's backend (SQLite, or MySQL with
 * OPSLOOM_TEST_DB); `close` shuts it and drops it.
 */
export async function openTestDb(name: string): Promise<{ db: Db; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `opsloom-${name}-`));
  const database = await testDatabase(dir);
  const db = await openDb(loadConfig({ OPSLOOM_DATA_DIR: dir, ...database.env }).db);
  return {
    db,
    async close() {
      await closeDb(db);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
