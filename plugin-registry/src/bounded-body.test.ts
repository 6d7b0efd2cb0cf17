import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryError } from './errors.js';
import { readBounded, readPackument } from './bounded-body.js';

/** A response streaming `chunks` of `size` bytes, without a declared length. */
function streamed(chunks: number, size: number): Response {
  let sent = 0;
  return new Response(new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size).fill(97));
      else controller.close();
    },
  }));
}

test('a body within the limit is read whole', async () => {
  assert.equal((await readBounded(streamed(4, 1000), 4000, 'tarball of x@1.0.0')).length, 4000);
});

test('a body past the limit stops being read and fails, declared or not', async () => {
  await assert.rejects(readBounded(streamed(1000, 1000), 4000, 'tarball of x@1.0.0'), (err: RegistryError) => {
    assert.equal(err.code, 'PLUGIN_UNSAFE_ARCHIVE');
    assert.match(err.message, /tarball of x@1\.0\.0 is more than \d+ bytes, over the 4000-byte limit/);
    return true;
  });
  const declared = new Response('x'.repeat(10), { headers: { 'content-length': '999999999' } });
  await assert.rejects(readBounded(declared, 4000, 'the packument of x'), /the packument of x is 999999999 bytes, over the 4000-byte limit/);
});

test('a packument that is not JSON is refused by name', async () => {
  await assert.rejects(readPackument(new Response('<html>'), '@org/x'), /the packument of @org\/x is not JSON/);
  assert.deepEqual(await readPackument(new Response('{"name":"x"}'), 'x'), { name: 'x' });
});
