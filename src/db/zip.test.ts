import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachZipEntry, sniff } from './zip.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function collect(
  path: string,
  limits?: { maxEntries: number; maxEntryBytes: number; maxTotalBytes: number },
) {
  const seen: [string, number][] = [];
  await forEachZipEntry(
    path,
    'test.zip',
    (name, data) => seen.push([name, data.length]),
    limits ? { limits } : {},
  );
  return seen;
}

describe('forEachZipEntry', () => {
  it('reads every file entry in order, skipping directories', async () => {
    const p = write(
      'ok.zip',
      zipSync({ 'A-1.json': Buffer.from('{}'), 'sub/': {}, 'B-2.json': Buffer.from('{"a":1}') }),
    );
    expect(await collect(p)).toEqual([
      ['A-1.json', 2],
      ['B-2.json', 7],
    ]);
  });

  it('refuses a zip bomb: an entry larger than the per-entry limit', async () => {
    // 64 MB of zeros compresses to ~64 KB: the limit is checked before inflating.
    const p = write('bomb.zip', zipSync({ 'big.json': new Uint8Array(64 * 1024 * 1024) }, { level: 9 }));
    await expect(
      collect(p, { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 1e12 }),
    ).rejects.toThrow(
      /test\.zip: entry big\.json is 67108864 bytes uncompressed, over the limit of 1048576 \(zip bomb\?\)/,
    );
  });

  it('refuses an entry whose header lies about its size', async () => {
    const zip = Buffer.from(zipSync({ 'liar.json': new Uint8Array(8 * 1024 * 1024) }, { level: 9 }));
    // Patch the declared uncompressed size (local header +22, central directory +24) down to 100 bytes.
    zip.writeUInt32LE(100, 22);
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, central + 24);
    const p = write('liar.zip', zip);
    await expect(
      collect(p, { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 1e12 }),
    ).rejects.toThrow(/test\.zip: corrupt zip archive/);
  });

  it('refuses more total bytes or entries than allowed', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) files[`R-${i}.json`] = new Uint8Array(1000);
    const p = write('many.zip', zipSync(files));
    await expect(collect(p, { maxEntries: 10, maxEntryBytes: 1e9, maxTotalBytes: 1e12 })).rejects.toThrow(
      /20 entries exceed the limit of 10/,
    );
    await expect(collect(p, { maxEntries: 100, maxEntryBytes: 1e9, maxTotalBytes: 5000 })).rejects.toThrow(
      /exceeds the limit of 5000 bytes/,
    );
  });

  it('a truncated archive is a clear error', async () => {
    const whole = zipSync({ 'A.json': new Uint8Array(5000).fill(65) });
    const p = write('cut.zip', whole.subarray(0, whole.length - 30));
    await expect(collect(p)).rejects.toThrow(/test\.zip: truncated or corrupt zip archive/);
  });

  it('an HTML error page is named as such', async () => {
    const p = write('page.zip', '<!DOCTYPE html><html><body>Access denied</body></html>');
    await expect(collect(p)).rejects.toThrow(/test\.zip: got an HTML page instead of a zip archive/);
  });

  it.each([
    [Buffer.from('PK\x03\x04'), 'zip'],
    [Buffer.from([0x1f, 0x8b, 8]), 'gzip'],
    [Buffer.from('SQLite format 3\0xyz'), 'sqlite'],
    [Buffer.from('  {"id":'), 'json'],
    [Buffer.from('\n<html>'), 'html'],
    [Buffer.from('#model_version'), 'text'],
    [Buffer.alloc(0), 'empty'],
  ])('sniff %j → %s', (head, kind) => expect(sniff(head)).toBe(kind));
});
