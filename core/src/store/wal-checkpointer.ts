import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies SQLite's write-ahead log back into the database file from a worker thread. Left to
 * itself, SQLite checkpoints inside whichever commit fills the log past its threshold, and that
 * commit then blocks the event loop on disk writes and fsyncs for tens of milliseconds; the main
 * connection turns automatic checkpoints off and this thread does them instead, on its own
 * connection, in passive mode so that it never waits for (or blocks) a writer.
 */
export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs = 200) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs } });
    // A checkpointer that cannot run leaves the log to grow until the next start: worth a crash-free warning only.
    this.worker.on('error', (err) => process.emitWarning(`SQLite checkpoint thread stopped: ${err.message}`));
    this.worker.unref();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.intervalMs);
`;
