// The raw cost of what every step must do, measured in the same run as the engine: a sandboxed
// call with a fresh V8 context across a process boundary (the plugin runtime's isolation rule) and
// a durable commit of a step's two row changes. With the machine's cores they bound what any
// engine keeping those rules could reach on each shape, before doing any work of its own.
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { rawInChild } from '../../plugin-runtime/dist/bench/raw-peer.js';

const CALLS = 2000;
const COMMITS = 2000;

/** CPU time (ms) a process has used, from /proc (user + system, 10 ms ticks). */
function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

/**
 * A raw isolated-vm echo in a child process, called back to back over Node's IPC: per call, the
 * wall time and the CPU of both processes (µs). `fresh` makes a new context for every call, as
 * every plugin call gets; without it one context serves all calls (the round trip alone).
 */
export async function rawCall(fresh) {
  const json = JSON.stringify({ inputs: { value: 1 }, context: { taskId: 'task', nodeId: 't1', attempt: 1 } });
  const peer = await rawInChild({ peer: fresh ? 'isolate-fresh' : 'isolate' }, json);
  try {
    for (let i = 0; i < 200; i++) await peer.call();
    const parent0 = cpuMs();
    const child0 = processCpuMs(peer.pid);
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await peer.call();
    const wallUs = (performance.now() - t0) / CALLS * 1000;
    const cpuUs = ((cpuMs() - parent0) + (processCpuMs(peer.pid) - child0)) / CALLS * 1000;
    return { wallUs, cpuUs };
  } finally {
    peer.close();
  }
}

/** A step's durable write on SQLite as the engine configures it (WAL, synchronous NORMAL): finish one node, ready the next. */
function sqliteCommit() {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE nodes (id INTEGER PRIMARY KEY, state TEXT, outputs TEXT)');
    const insert = db.prepare('INSERT INTO nodes VALUES (?, ?, ?)');
    db.transaction(() => { for (let i = 0; i <= COMMITS; i++) insert.run(i, 'waiting', null); })();
    const finish = db.prepare('UPDATE nodes SET state = ?, outputs = ? WHERE id = ?');
    const ready = db.prepare('UPDATE nodes SET state = ? WHERE id = ?');
    const step = db.transaction((i) => { finish.run('finished', '{"value":1}', i); ready.run('ready', i + 1); });
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < COMMITS; i++) step(i);
    return { wallUs: (performance.now() - t0) / COMMITS * 1000, cpuUs: (cpuMs() - c0) / COMMITS * 1000 };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The MariaDB/MySQL server's process, to count its CPU too (it runs on the same two cores). */
function serverPid() {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (/^(mariadbd|mysqld)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) return Number(pid);
    } catch { /* gone */ }
  }
  return undefined;
}

/** The same step write on MariaDB: BEGIN, the two updates as prepared statements, COMMIT (flushed, as the server is configured). */
async function mysqlCommit(url) {
  const conn = await mysql.createConnection(url);
  const db = `opsloom_floor_${process.pid}`;
  try {
    await conn.query(`CREATE DATABASE ${db}`);
    await conn.query(`USE ${db}`);
    await conn.query('CREATE TABLE nodes (id INT PRIMARY KEY, state VARCHAR(16), outputs TEXT) ENGINE=InnoDB');
    await conn.query('INSERT INTO nodes (id, state) VALUES ?', [Array.from({ length: COMMITS + 1 }, (_, i) => [i, 'waiting'])]);
    const server = serverPid();
    const c0 = cpuMs();
    const s0 = server ? processCpuMs(server) : 0;
    const t0 = performance.now();
    for (let i = 0; i < COMMITS; i++) {
      await conn.query('BEGIN');
      await conn.execute('UPDATE nodes SET state = ?, outputs = ? WHERE id = ?', ['finished', '{"value":1}', i]);
      await conn.execute('UPDATE nodes SET state = ? WHERE id = ?', ['ready', i + 1]);
      await conn.query('COMMIT');
    }
    const wallUs = (performance.now() - t0) / COMMITS * 1000;
    const cpuUs = ((cpuMs() - c0) + (server ? processCpuMs(server) - s0 : 0)) / COMMITS * 1000;
    return { wallUs, cpuUs, server: server !== undefined };
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS ${db}`);
    await conn.end();
  }
}

/**
 * Rows for the engine bench: the floors, then for each shape the least wall time its calls and
 * step writes need at those floors alone, with no engine work: their CPU spread perfectly over the
 * machine's cores, and for a chain (each step waits for the one before) also their latency, a
 * call's context being made ahead while the step before is written.
 */
export async function floorRows(backend, mysqlUrl, shapes) {
  const cores = availableParallelism();
  const fresh = await rawCall(true);
  const warm = await rawCall(false);
  const commit = mysqlUrl ? await mysqlCommit(mysqlUrl) : sqliteCommit();
  const row = (benchmark, result, goal = '—') => ({ backend, benchmark, result, peer: '—', goal });
  const rows = [
    row('floor: sandboxed call, raw (a fresh context, over IPC)', `${fresh.cpuUs.toFixed(0)} µs CPU (both processes), ${fresh.wallUs.toFixed(0)} µs back to back`),
    row('floor: IPC round trip to a warm raw context', `${warm.wallUs.toFixed(0)} µs, ${warm.cpuUs.toFixed(0)} µs CPU`),
    row('floor: durable step write, raw (finish one node, ready the next)', `${commit.wallUs.toFixed(0)} µs, ${commit.cpuUs.toFixed(0)} µs CPU${commit.server === false ? ' (client only)' : ' (client and server)'}`),
  ];
  for (const s of shapes) {
    const cpuBound = (s.calls * fresh.cpuUs + s.steps * commit.cpuUs) / cores;
    const latencyBound = s.chain ? s.calls * warm.wallUs + s.steps * commit.wallUs : 0;
    const bound = Math.max(cpuBound, latencyBound) / 1e6;
    const why = latencyBound > cpuBound ? 'latency of its calls and writes in turn' : `their CPU on ${cores} cores`;
    rows.push(row(`floor bound: ${s.name} (${s.calls} calls, ${s.steps} step writes)`, `≥ ${bound.toFixed(2)} s before any engine work (${why})`, s.goal));
  }
  return rows;
}
