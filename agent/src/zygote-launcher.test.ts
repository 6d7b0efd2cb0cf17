import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { LaunchSpec, ProcessLauncher } from './process-launcher.js';
import { SpawnLauncher } from './spawn-launcher.js';
import { processGone, tempDir, until } from './test-support/fixtures.js';
import { ZygoteLauncher } from './zygote-launcher.js';

// The zygote is tested against the same contract as the agent's own spawn, its fallback.
const dir = tempDir('zygote');
let zygote: ZygoteLauncher;
const spawner = new SpawnLauncher();
let launcher: ProcessLauncher;

before(async () => {
  zygote = await ZygoteLauncher.start('python3', dir.path);
  launcher = zygote;
});
after(async () => {
  await zygote.close();
  dir.remove();
});

/** Runs `body` once per launcher, the zygote first. */
async function withEach(body: (kind: ProcessLauncher['kind']) => Promise<void>): Promise<void> {
  for (const l of [zygote, spawner] as ProcessLauncher[]) {
    launcher = l;
    await body(l.kind);
  }
  launcher = zygote;
}

interface Ran {
  pid: number | null;
  failure: Error | null;
  lost: Error | null;
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  signal: string | null;
  events: string[];
}

/** Launches through the zygote and collects everything it reports until the end. */
function run(spec: Partial<LaunchSpec> & { args: string[] }, onStart?: (pid: number) => void): Promise<Ran> {
  const r: Ran = { pid: null, failure: null, lost: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), code: null, signal: null, events: [] };
  return new Promise((resolve) => {
    let exited = false;
    let drained = false;
    const done = (): void => {
      if (exited && drained) {
        proc.release();
        resolve(r);
      }
    };
    const proc = launcher.launch({ program: '/bin/sh', env: { PATH: '/usr/bin:/bin' }, cwd: dir.path, user: null, ...spec }, {
      started: (pid) => { r.events.push('started'); r.pid = pid; onStart?.(pid); },
      failed: (err) => { r.events.push('failed'); r.failure = err; resolve(r); },
      output: (stream, bytes) => {
        if (!r.events.includes('output')) r.events.push('output');
        r[stream] = Buffer.concat([r[stream], bytes]);
      },
      exited: (code, signal) => { r.events.push('exited'); r.code = code; r.signal = signal; exited = true; done(); },
      drained: () => { drained = true; done(); },
      lost: (err) => { r.lost = err; resolve(r); },
    });
  });
}

test('a program gets exactly the environment, directory and arguments it was given, in its own session', async () => withEach(async () => {
  const script = 'echo "$#:$1:$2"; pwd; env | sort; cut -d" " -f6 /proc/$$/stat; cut -d" " -f5 /proc/$$/stat; cat; echo "stdin done"';
  const r = await run({ args: ['-c', script, 'sh', 'two words', '*'], env: { PATH: '/usr/bin:/bin', ONLY: 'this one' } });
  assert.deepEqual(r.events, ['started', 'output', 'exited']);
  assert.equal(r.code, 0);
  assert.equal(r.signal, null);
  const lines = r.stdout.toString().split('\n');
  assert.equal(lines[0], '2:two words:*');
  assert.equal(lines[1], dir.path);
  // Nothing of the agent's environment leaks in; sh adds only PWD (and its own OLDPWD/SHLVL on some shells).
  const env = lines.slice(2, -4).filter((l) => !/^(PWD|OLDPWD|SHLVL|_)=/.test(l));
  assert.deepEqual(env, ['ONLY=this one', 'PATH=/usr/bin:/bin']);
  // Session and process group are the program's own pid: a group kill reaches all its children.
  assert.equal(Number(lines.at(-4)), r.pid);
  assert.equal(Number(lines.at(-3)), r.pid);
  // stdin is /dev/null: cat ends at once.
  assert.equal(lines.at(-2), 'stdin done');
}));

test('output is relayed byte for byte on both streams, non-UTF-8 and large alike', async () => withEach(async () => {
  const big = 300_000;
  const r = await run({ args: ['-c', `printf '\\377\\376caf\\303\\251\\000end'; printf 'err\\200' >&2; head -c ${big} /dev/zero | tr '\\0' x`] });
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.subarray(0, 12), Buffer.from([0xff, 0xfe, 0x63, 0x61, 0x66, 0xc3, 0xa9, 0x00, 0x65, 0x6e, 0x64, 0x78]));
  assert.equal(r.stdout.length, 11 + big);
  assert.deepEqual(r.stderr, Buffer.from([0x65, 0x72, 0x72, 0x80]));
}));

test('exit codes and signals are reported as the kernel gave them', async () => withEach(async () => {
  assert.equal((await run({ args: ['-c', 'exit 42'] })).code, 42);
  const killed = await run({ args: ['-c', 'kill -TERM $$; sleep 5'] });
  assert.equal(killed.code, null);
  assert.equal(killed.signal, 'SIGTERM');
  const grouped = await run({ args: ['-c', 'sleep 30 & echo $!; wait'] }, (pid) => {
    setTimeout(() => process.kill(-pid, 'SIGKILL'), 200);
  });
  assert.equal(grouped.signal, 'SIGKILL');
  const child = Number(grouped.stdout.toString().trim());
  await until(() => processGone(child), `background child ${child} killed with its group`);
}));

test('a program that cannot start fails with the reason and reports nothing else', async () => withEach(async (kind) => {
  const r = await run({ program: '/nonexistent/opsloom-program', args: [] });
  assert.deepEqual(r.events, ['failed']);
  assert.match(r.failure?.message ?? '', /No such file or directory|ENOENT/, kind);
  const badDir = await run({ args: ['-c', 'echo ran'], cwd: '/nonexistent-dir' });
  assert.deepEqual(badDir.events, ['failed']);
  if (kind === 'zygote') assert.match(badDir.failure?.message ?? '', /chdir \/nonexistent-dir/);
}));

test('hundreds of programs at once each get their own output and exit code', async () => withEach(async () => {
  const results = await Promise.all(Array.from({ length: 300 }, (_, i) => run({ args: ['-c', `echo run-${i}; echo e${i} >&2; exit ${i % 7}`] })));
  results.forEach((r, i) => {
    assert.equal(r.stdout.toString(), `run-${i}\n`);
    assert.equal(r.stderr.toString(), `e${i}\n`);
    assert.equal(r.code, i % 7);
  });
}));

test('as root it runs programs as another user, with only that user\'s group', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => withEach(async () => {
  const user = `olz${randomBytes(3).toString('hex')}`;
  execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', '--home-dir', '/nonexistent', user]);
  try {
    const uid = Number(execFileSync('id', ['-u', user]).toString());
    const gid = Number(execFileSync('id', ['-g', user]).toString());
    const r = await run({ args: ['-c', 'id -u; id -g; id -G'], user: { uid, gid }, cwd: '/' });
    assert.equal(r.stdout.toString(), `${uid}\n${gid}\n${gid}\n`);
  } finally {
    execFileSync('userdel', [user]);
  }
}));

test('when the launcher dies, its running programs are reported lost and the next launch starts a new one', async () => {
  const pending = run({ args: ['-c', 'echo up; sleep 30'] });
  await until(() => zygotePids().length > 0, 'the launcher is running');
  const [zygote] = zygotePids();
  await new Promise((r) => setTimeout(r, 200));
  process.kill(zygote as number, 'SIGKILL');
  const r = await pending;
  assert.match(r.lost?.message ?? '', /launcher exited/);
  if (r.pid !== null) process.kill(-r.pid, 'SIGKILL');
  const again = await run({ args: ['-c', 'echo again'] });
  assert.equal(again.stdout.toString(), 'again\n');
  assert.notEqual(zygotePids()[0], zygote);
});

/** Pids of this process's launcher children. */
function zygotePids(): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('opsloom-zygote.py');
    } catch {
      return false;
    }
  });
}

