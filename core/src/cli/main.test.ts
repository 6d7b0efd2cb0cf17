import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabase } from '../test-support/test-server.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

function run(args: string[], env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, ...args], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
  const matched = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (until && until.test(out)) resolve(out);
    });
    void done.then((r) => reject(new Error(`exited ${r.code} before printing ${until}: ${r.out}${r.err}`)));
  });
  matched.catch(() => undefined); // only awaited when `until` is given
  return { child, done, matched };
}

test('opsloom up prints the URL and the first admin password once, saved 0600', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-cli-'));
  const db = await testDatabase(dir);
  try {
    const env = { OPSLOOM_DATA_DIR: join(dir, 'data'), OPSLOOM_PORT: '0', OPSLOOM_LOG_LEVEL: 'warn', OPSLOOM_REGISTRY: 'off', OPSLOOM_LOCAL_AGENT: 'false', ...db.env };
    const first = run(['up'], env, /password (\S+)[\s\S]*\n\n/);
    const out = await first.matched;
    const url = /running at (http:\/\/\S+)/.exec(out)![1]!;
    const password = /password (\S+)/.exec(out)![1]!;
    const file = join(dir, 'data', 'admin-password');
    assert.equal(readFileSync(file, 'utf8').trim(), password);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(login.status, 200);
    first.child.kill('SIGTERM');
    assert.equal((await first.done).code, 0);

    // The second start keeps the admin and does not print a password again.
    const second = run(['up'], env, /running at/);
    const out2 = await second.matched;
    second.child.kill('SIGTERM');
    await second.done;
    assert.doesNotMatch(out2, /password/);
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad setting stops start-up with a message naming it', async () => {
  const r = await run(['up'], { OPSLOOM_PORT: 'seventy' }).done;
  assert.equal(r.code, 78);
  assert.match(r.err, /configuration error: OPSLOOM_PORT: "seventy" is not a whole number/);
});

test('unknown commands are refused with the usage', async () => {
  const r = await run(['fly'], {}).done;
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command "fly"/);
  assert.match(r.err, /opsloom up/);
});
