import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoordinationError } from './errors.js';
import { compileCoordinationOptions, compileEnqueueOptions } from './options.js';

const code = (expected: string) => (e: unknown) => e instanceof CoordinationError && e.code === expected;

describe('compileCoordinationOptions', () => {
  it('applies defaults', () => {
    const compiled = compileCoordinationOptions({});
    assert.equal(compiled.redisUrl, undefined);
    assert.equal(compiled.prefix, 'opsloom');
    assert.equal(compiled.keepFailed, 1000);
  });

  it('accepts redis:// and rediss:// URLs', () => {
    assert.equal(compileCoordinationOptions({ redisUrl: 'redis://127.0.0.1:6379/2' }).redisUrl, 'redis://127.0.0.1:6379/2');
    assert.equal(compileCoordinationOptions({ redisUrl: 'rediss://u:p@cache.internal:6380' }).redisUrl, 'rediss://u:p@cache.internal:6380');
  });

  it('rejects unusable settings with a message naming them', () => {
    assert.throws(() => compileCoordinationOptions({ redisUrl: 'localhost:6379' }), code('invalid_coordination_options'));
    assert.throws(() => compileCoordinationOptions({ redisUrl: 'http://127.0.0.1:6379' }), /redis:\/\//);
    assert.throws(() => compileCoordinationOptions({ prefix: 'has space' }), /prefix/);
    assert.throws(() => compileCoordinationOptions({ prefix: '' }), code('invalid_coordination_options'));
    assert.throws(() => compileCoordinationOptions({ keepFailed: -1 }), /keepFailed/);
  });
});

describe('compileEnqueueOptions', () => {
  it('applies defaults', () => {
    assert.deepEqual(compileEnqueueOptions(undefined), { delayMs: 0, jobId: undefined, attempts: 1, backoffMs: 0 });
  });

  it('rejects fractional, negative and empty values', () => {
    assert.throws(() => compileEnqueueOptions({ delayMs: 1.5 }), /delayMs/);
    assert.throws(() => compileEnqueueOptions({ backoffMs: -1 }), /backoffMs/);
    assert.throws(() => compileEnqueueOptions({ attempts: 0 }), /attempts/);
    assert.throws(() => compileEnqueueOptions({ jobId: '' }), code('invalid_job'));
  });
});
