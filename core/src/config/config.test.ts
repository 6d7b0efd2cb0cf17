import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileJobOptions } from '../job/job-options.js';
import { ConfigError, loadConfig } from './config.js';

test('defaults: embedded mode under ./data on 127.0.0.1:7070', () => {
  const c = loadConfig({}, { cwd: '/srv/ops' });
  assert.equal(c.dataDir, '/srv/ops/data');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 7070);
  assert.deepEqual(c.db, { kind: 'sqlite', file: '/srv/ops/data/opsloom.sqlite' });
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.registryPort, 4873);
  assert.equal(c.registryEmbedded, true);
  assert.deepEqual([...c.roles].sort(), ['agent-gateway', 'api', 'scheduler', 'worker']);
});

test('environment variables set MySQL and Redis', () => {
  const c = loadConfig({ OPSLOOM_DB: 'mysql://root@127.0.0.1:3306/opsloom', OPSLOOM_REDIS: 'redis://127.0.0.1:6379', OPSLOOM_PORT: '8080' });
  assert.deepEqual(c.db, { kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/opsloom' });
  assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(c.port, 8080);
});

test('a bad value names the setting and the problem', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ OPSLOOM_PORT: 'eighty' }, 'OPSLOOM_PORT', /not a whole number/],
    [{ OPSLOOM_PORT: '70000' }, 'OPSLOOM_PORT', /out of range/],
    [{ OPSLOOM_DB: 'postgres://x/y' }, 'OPSLOOM_DB', /protocol postgres: is not supported/],
    [{ OPSLOOM_DB: 'mysql://root@127.0.0.1:3306' }, 'OPSLOOM_DB', /must name a database/],
    [{ OPSLOOM_DB: 'mysql://root@localhost/opsloom?socket=mysqld.sock' }, 'OPSLOOM_DB', /socket must be an absolute path/],
    [{ OPSLOOM_DB: 'mysql://root@localhost:3306/opsloom?socket=/run/mysqld/mysqld.sock' }, 'OPSLOOM_DB', /either a port or a socket/],
    [{ OPSLOOM_DB: 'mysql://root@localhost/opsloom?ssl=true' }, 'OPSLOOM_DB', /unknown parameter "ssl"/],
    [{ OPSLOOM_REDIS: 'not a url' }, 'OPSLOOM_REDIS', /not a URL/],
    [{ OPSLOOM_SECRET_KEY: 'short' }, 'OPSLOOM_SECRET_KEY', /at least 32/],
    [{ OPSLOOM_LOCAL_AGENT: 'maybe' }, 'OPSLOOM_LOCAL_AGENT', /not a boolean/],
    [{ OPSLOOM_ROLES: 'api,chef' }, 'OPSLOOM_ROLES', /"chef" is not one of/],
    [{ OPSLOOM_LOG_LEVEL: 'loud' }, 'OPSLOOM_LOG_LEVEL', /not one of/],
    [{ OPSLOOM_ADMIN_PASSWORD: 'abc' }, 'OPSLOOM_ADMIN_PASSWORD', /at least 8/],
  ];
  for (const [env, setting, problem] of cases) {
    assert.throws(() => loadConfig(env), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError for ${JSON.stringify(env)}`);
      assert.equal(err.setting, setting);
      assert.match(err.message, problem);
      assert.ok(err.message.startsWith(`${setting}: `));
      return true;
    });
  }
});

test('a config file sets the same keys; the environment wins; unknown keys are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-config-'));
  const file = join(dir, 'opsloom.json');
  writeFileSync(file, JSON.stringify({ OPSLOOM_PORT: 9000, OPSLOOM_HOST: '0.0.0.0', OPSLOOM_LOCAL_AGENT: false }));
  const c = loadConfig({ OPSLOOM_PORT: '9001' }, { configFile: file });
  assert.equal(c.port, 9001);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.localAgent, false);

  writeFileSync(file, JSON.stringify({ OPSLOOM_PROT: 9000 }));
  assert.throws(() => loadConfig({}, { configFile: file }), /OPSLOOM_PROT: unknown setting/);
  writeFileSync(file, '{ not json');
  assert.throws(() => loadConfig({}, { configFile: file }), /OPSLOOM_CONFIG: .* is not valid JSON/);
  assert.throws(() => loadConfig({}, { configFile: join(dir, 'missing.json') }), /OPSLOOM_CONFIG: cannot read/);
});

test('the job service takes its settings from a config file too, the environment winning, each checked by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-config-'));
  const file = join(dir, 'opsloom.json');
  writeFileSync(file, JSON.stringify({ OPSLOOM_JOB_GRACE: 60, OPSLOOM_JOB_DEFAULT_TIMEOUT: 600, OPSLOOM_AGENT_HEARTBEAT: 20 }));
  const job = compileJobOptions(loadConfig({ OPSLOOM_AGENT_HEARTBEAT: '30' }, { configFile: file }).jobSettings);
  assert.equal(job.graceMs, 60_000);
  assert.equal(job.defaultTimeoutSeconds, 600);
  assert.equal(job.heartbeatSeconds, 30);
  assert.equal(job.sweepIntervalMs, 5000, 'an unset setting keeps its default');
  writeFileSync(file, JSON.stringify({ OPSLOOM_JOB_DEFAULT_TIMEOUT: 900, OPSLOOM_JOB_MAX_TIMEOUT: 600 }));
  assert.throws(() => compileJobOptions(loadConfig({}, { configFile: file }).jobSettings), /OPSLOOM_JOB_DEFAULT_TIMEOUT: 900 exceeds OPSLOOM_JOB_MAX_TIMEOUT/);
  assert.throws(() => compileJobOptions(loadConfig({ OPSLOOM_JOB_SWEEP_MS: 'often' }).jobSettings), /OPSLOOM_JOB_SWEEP_MS: "often" is not a whole number/);
});
