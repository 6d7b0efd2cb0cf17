import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { packageRelativePath, readPackageTarball } from './tarball.js';

interface RawEntry {
  path: string;
  /** tar typeflag: '0' file, '2' symlink, '1' hard link, '5' directory, '3' char device. */
  type?: string;
  data?: string;
  linkpath?: string;
}

/** Builds a ustar archive by hand so hostile entries can be expressed. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.path, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    if (e.linkpath) h.write(e.linkpath, 157, 100);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function unsafe(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.UnsafeArchive && pattern.test(e.message);
}

describe('readPackageTarball', () => {
  it('reads regular files relative to the package root', async () => {
    const files = await readPackageTarball(rawTar([
      { path: 'package/', type: '5' },
      { path: 'package/package.json', data: '{"name":"x"}' },
      { path: 'package/lib/a.js', data: 'a' },
    ]));
    assert.deepEqual([...files.keys()].sort(), ['lib/a.js', 'package.json']);
    assert.equal(files.get('lib/a.js')?.toString(), 'a');
  });

  it('refuses path traversal and absolute paths', async () => {
    await assert.rejects(readPackageTarball(rawTar([{ path: 'package/../../etc/cron.d/x', data: 'x' }])), unsafe(/escapes the package/));
    await assert.rejects(readPackageTarball(rawTar([{ path: '/etc/passwd', data: 'x' }])), unsafe(/absolute path|escapes/));
    assert.throws(() => packageRelativePath('package/a\\..\\b'), unsafe(/backslashes/));
  });

  it('refuses symlinks, hard links and devices', async () => {
    await assert.rejects(readPackageTarball(rawTar([{ path: 'package/link', type: '2', linkpath: '/etc/passwd' }])), unsafe(/SymbolicLink/));
    await assert.rejects(readPackageTarball(rawTar([{ path: 'package/hard', type: '1', linkpath: 'package/x' }])), unsafe(/Link/));
    await assert.rejects(readPackageTarball(rawTar([{ path: 'package/dev', type: '3' }])), unsafe(/CharacterDevice/));
  });

  it('refuses duplicate paths and oversized content', async () => {
    await assert.rejects(readPackageTarball(rawTar([{ path: 'package/a', data: '1' }, { path: 'package/a', data: '2' }])), unsafe(/twice/));
    const big = rawTar([{ path: 'package/big', data: 'x'.repeat(10_000) }]);
    await assert.rejects(readPackageTarball(big, { maxUnpackedBytes: 1000 }), unsafe(/more than 1000 bytes/));
    const many = rawTar(Array.from({ length: 20 }, (_, i) => ({ path: `package/f${i}`, data: 'x' })));
    await assert.rejects(readPackageTarball(many, { maxEntries: 10 }), unsafe(/more than 10 entries/));
  });

  it('refuses data that is not a tarball', async () => {
    await assert.rejects(readPackageTarball(Buffer.from([0x1f, 0x8b, 1, 2, 3])), unsafe(/not valid gzip/));
  });
});
