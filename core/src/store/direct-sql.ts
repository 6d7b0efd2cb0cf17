import type { Knex } from 'knex';
import { isSqlite } from './dialect.js';

/**
 * Where a statement runs: the database (a pooled connection), a knex transaction, or a
 * {@link DirectSql.transaction}. Each is a knex-style table function and holds a pool client.
 */
export interface SqlRunner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type -- knex's own row type bounds
  <TRecord extends {} = any, TResult = unknown[]>(table: string): Knex.QueryBuilder<TRecord, TResult>;
  readonly client: unknown;
}

interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(on: boolean): SqliteStatement;
}
interface SqliteConnection { prepare(sql: string): SqliteStatement }
interface MysqlConnection { query(sql: string | { sql: string; rowsAsArray: boolean }, params: unknown[], cb: (err: Error | null, result: unknown) => void): void }
interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

/** A runner whose knex queries and direct statements all run on `conn`. */
function boundRunner(db: Knex, conn: unknown): SqlRunner {
  const bound: PoolClient = { acquireConnection: () => Promise.resolve(conn), releaseConnection: () => Promise.resolve() };
  return Object.assign((table: string) => db(table).connection(conn), { client: bound }) as unknown as SqlRunner;
}

/** Transactions joined into one commit per database (SQLite has one connection, so one group). */
const groups = new WeakMap<Knex, GroupCommit>();
/** At most this many transactions share a commit, so reads waiting for the connection get it soon. */
const MAX_GROUP = 32;

interface Job { fn: (tx: SqlRunner) => Promise<unknown>; resolve(value: unknown): void; reject(err: unknown): void }

/**
 * Group commit for SQLite. Its one connection runs one transaction at a time; while one runs,
 * flow steps finishing elsewhere queue for the connection, and each would pay its own BEGIN and
 * COMMIT. Instead, queued transactions run one after another inside the open transaction, each
 * in a savepoint, and one COMMIT makes them all durable. A transaction that throws is rolled
 * back to its savepoint alone; the others still commit. Each caller's promise settles once its
 * work is committed (or rolled back), so effects sent after a transaction still follow the
 * commit. A lone transaction costs what it did before: no savepoint, one BEGIN and COMMIT.
 */
class GroupCommit {
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(private readonly db: Knex, private readonly exec: (conn: unknown, sql: string) => Promise<void>) {}

  run<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.group();
    } finally {
      this.draining = false;
    }
  }

  /** One BEGIN … COMMIT holding the queued transactions, and those that queue while it runs. */
  private async group(): Promise<void> {
    const client = this.db.client as PoolClient;
    let conn: unknown;
    try {
      conn = await client.acquireConnection();
    } catch (err) {
      for (const job of this.queue.splice(0)) job.reject(err);
      return;
    }
    const tx = boundRunner(this.db, conn);
    const done: [Job, unknown][] = [];
    let current: Job | undefined;
    try {
      await this.exec(conn, 'BEGIN');
      for (let n = 0; n < MAX_GROUP && this.queue.length > 0; n++) {
        current = this.queue.shift()!;
        // Until one transaction has succeeded there is nothing to keep: a failure rolls back all.
        const savepoint = done.length > 0;
        if (savepoint) await this.exec(conn, 'SAVEPOINT `step`');
        let result: unknown;
        try {
          result = await current.fn(tx);
        } catch (err) {
          await this.exec(conn, savepoint ? 'ROLLBACK TO `step`' : 'ROLLBACK');
          await this.exec(conn, savepoint ? 'RELEASE `step`' : 'BEGIN');
          current.reject(err);
          current = undefined;
          continue;
        }
        if (savepoint) await this.exec(conn, 'RELEASE `step`');
        done.push([current, result]);
        current = undefined;
      }
      await this.exec(conn, 'COMMIT');
    } catch (err) {
      // BEGIN, a savepoint, a rollback or COMMIT itself failed: nothing of this group was kept.
      await this.exec(conn, 'ROLLBACK').catch(() => undefined);
      current?.reject(err);
      for (const [job] of done) job.reject(err);
      return;
    } finally {
      await client.releaseConnection(conn);
    }
    for (const [job, result] of done) job.resolve(result);
  }
}

/** better-sqlite3 binds numbers, strings, buffers and null only. */
const sqliteValue = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);

/**
 * Runs the flow engine's hot statements on the driver itself. Knex builds and, on SQLite,
 * prepares every query anew, which costs more than running it; here each statement's SQL is
 * written once and SQLite keeps it prepared per connection. Connections still come from knex,
 * so a statement on a transaction runs inside it and one on the database waits its turn for the
 * pool exactly as a knex query would. SQL must use `?` placeholders and backtick quoting, which
 * both SQLite and MySQL accept.
 */
/** Runs of a transaction chosen as a deadlock's victim before its error is given up to the caller. */
const DEADLOCK_ATTEMPTS = 5;

/** True for the error of a MySQL/MariaDB transaction rolled back to break a deadlock. */
function isDeadlock(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'ER_LOCK_DEADLOCK' || (err as { errno?: unknown }).errno === 1213;
}

export class DirectSql {
  private readonly prepared = new WeakMap<object, Map<string, SqliteStatement>>();
  readonly dialect: 'sqlite' | 'mysql';

  constructor(db: Knex) {
    this.dialect = isSqlite(db) ? 'sqlite' : 'mysql';
  }

  /**
   * Runs `fn` in a transaction on one pooled connection. Knex's own transactions build a client
   * per transaction, which costs more than a flow step's statements; this one only issues BEGIN
   * and COMMIT (or ROLLBACK when `fn` throws). `fn` gets a runner bound to the connection:
   * {@link DirectSql} statements and knex queries made through it both run inside.
   *
   * On SQLite, transactions that arrive while one runs join it (see {@link GroupCommit}). On MySQL,
   * one that InnoDB rolled back to break a deadlock runs again from the start, so `fn` must keep its
   * effects inside the transaction or build them afresh on each run.
   */
  transaction<T>(db: Knex, fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (this.dialect === 'mysql') return this.retryingDeadlocks(db, fn);
    let group = groups.get(db);
    if (!group) groups.set(db, (group = new GroupCommit(db, (conn, sql) => this.exec(conn, sql))));
    return group.run(fn);
  }

  /**
   * Two transactions that lock the same rows in opposite orders (a step writes its node, then its
   * task's logs, whose foreign key takes the task row; an operation takes the task, then its nodes)
   * deadlock on InnoDB, which rolls one back whole. Running the victim again is the remedy MySQL
   * documents; by then the other has committed, and the victim's compare-and-sets see what it did.
   */
  private async retryingDeadlocks<T>(db: Knex, fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.single(db, fn);
      } catch (err) {
        if (!isDeadlock(err) || attempt >= DEADLOCK_ATTEMPTS) throw err;
        // A short random pause, so the two do not meet again in step.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  private async single<T>(db: Knex, fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = db.client as PoolClient;
    const conn = await client.acquireConnection();
    try {
      await this.exec(conn, 'START TRANSACTION');
      const result = await fn(boundRunner(db, conn));
      await this.exec(conn, 'COMMIT');
      return result;
    } catch (err) {
      await this.exec(conn, 'ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private async exec(conn: unknown, sql: string): Promise<void> {
    if (this.dialect === 'sqlite') this.statement(conn as SqliteConnection, sql).run();
    else await this.mysql(conn as MysqlConnection, sql, []);
  }

  /** Runs a write; resolves with the number of rows it changed. */
  run(on: SqlRunner, sql: string, params: unknown[]): Promise<number> {
    return this.withConnection(on, async (conn) => {
      if (this.dialect === 'sqlite') return this.statement(conn as SqliteConnection, sql).run(...params.map(sqliteValue)).changes;
      const result = (await this.mysql(conn as MysqlConnection, sql, params)) as { affectedRows: number };
      return result.affectedRows;
    });
  }

  /** Runs a read; resolves with its first row. */
  first<T>(on: SqlRunner, sql: string, params: unknown[]): Promise<T | undefined> {
    return this.withConnection(on, async (conn) => {
      if (this.dialect === 'sqlite') return this.statement(conn as SqliteConnection, sql).get(...params.map(sqliteValue)) as T | undefined;
      return ((await this.mysql(conn as MysqlConnection, sql, params)) as T[])[0];
    });
  }

  /** Runs a read; resolves with all its rows. */
  all<T>(on: SqlRunner, sql: string, params: unknown[]): Promise<T[]> {
    return this.withConnection(on, async (conn) => {
      if (this.dialect === 'sqlite') return this.statement(conn as SqliteConnection, sql).all(...params.map(sqliteValue)) as T[];
      return (await this.mysql(conn as MysqlConnection, sql, params)) as T[];
    });
  }

  /**
   * Runs a read; resolves with its rows as arrays of column values in select order. For large
   * results: a row object per row costs more than reading it (10,000 rows: ~20 ms against ~70 ms on SQLite).
   */
  rows(on: SqlRunner, sql: string, params: unknown[]): Promise<unknown[][]> {
    return this.withConnection(on, async (conn) => {
      if (this.dialect === 'sqlite') return this.statement(conn as SqliteConnection, `${sql} /* rows */`).raw(true).all(...params.map(sqliteValue)) as unknown[][];
      return (await this.mysql(conn as MysqlConnection, { sql, rowsAsArray: true }, params)) as unknown[][];
    });
  }

  private async withConnection<T>(on: SqlRunner, fn: (conn: unknown) => Promise<T>): Promise<T> {
    const client = on.client as unknown as PoolClient;
    const conn = await client.acquireConnection();
    try {
      return await fn(conn);
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private statement(conn: SqliteConnection, sql: string): SqliteStatement {
    let cache = this.prepared.get(conn);
    if (!cache) this.prepared.set(conn, (cache = new Map()));
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
    return stmt;
  }

  private mysql(conn: MysqlConnection, sql: string | { sql: string; rowsAsArray: boolean }, params: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => conn.query(sql, params, (err, result) => (err ? reject(err) : resolve(result))));
  }
}
