import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { zipSync, deflateSync } from 'fflate';
import { listZip, openZipFile, readZipDirectory, readZipEntry } from './zip.js';

describe('bounded zip reader', () => {
  it('lists and extracts stored and deflated entries, also behind a prefix', () => {
    const zip = Buffer.from(
      zipSync({ 'a.txt': [Buffer.from('hello'), { level: 0 }], 'dir/b.txt': Buffer.from('x'.repeat(1000)) }),
    );
    for (const buf of [zip, Buffer.concat([Buffer.from('#!/bin/sh\nexec java -jar "$0"\n'), zip])]) {
      const entries = listZip(buf, 100);
      expect(entries.map((e) => [e.name, e.method, e.size])).toEqual([
        ['a.txt', 0, 5],
        ['dir/b.txt', 8, 1000],
      ]);
      expect(readZipEntry(buf, entries[1]!, 10_000).toString()).toBe('x'.repeat(1000));
    }
  });

  it('refuses entries that lie about their size and archives with too many entries', () => {
    const zip = Buffer.from(zipSync({ 'big.bin': new Uint8Array(100_000) }));
    const entries = listZip(zip, 10);
    expect(() => readZipEntry(zip, entries[0]!, 1000)).toThrow(/exceeds the limit/);
    // Forge the declared size in the central directory and local header: inflation must stop early.
    const forged = { ...entries[0]!, size: 10 };
    expect(() => readZipEntry(zip, forged, 1000)).toThrow(/beyond its declared size/);
    expect(() => listZip(zip, 0)).toThrow(/1 entries \(limit 0\)/);
  });

  it('rejects non-zips, truncated archives and corrupt data', () => {
    expect(() => listZip(Buffer.from('not a zip at all, definitely not'), 10)).toThrow(/not a zip/);
    const zip = Buffer.from(zipSync({ 'a.txt': Buffer.from('hello world hello world') }));
    expect(() => listZip(zip.subarray(20), 10)).toThrow();
    const entries = listZip(zip, 10);
    const bad = Buffer.from(zip);
    const raw = deflateSync(Buffer.from('hello world hello world'));
    bad.fill(0xff, 30 + 5, 30 + 5 + raw.length);
    expect(() => readZipEntry(bad, entries[0]!, 1000)).toThrow(/corrupt deflate data/);
  });

  it('reads an archive on disk through a small window, entries larger than the window included', () => {
    const big = randomBytes(300_000);
    const text = Buffer.from('abc'.repeat(100_000));
    const zip = Buffer.from(
      zipSync({ 'a/stored.bin': [big, { level: 0 }], 'a/text.txt': text, 'z.txt': Buffer.from('z') }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-zip-'));
    try {
      const path = join(dir, 'x.zip');
      writeFileSync(path, Buffer.concat([Buffer.from('prefix!'), zip]));
      const file = openZipFile(path);
      try {
        const d = readZipDirectory(file);
        expect(d.count).toBe(3);
        const got = [...d.entries()].map((e) => [e.name, readZipEntry(file, e, 1_000_000)] as const);
        expect(got.map(([n]) => n)).toEqual(['a/stored.bin', 'a/text.txt', 'z.txt']);
        expect(got[0]![1].equals(big)).toBe(true);
        expect(got[1]![1].equals(text)).toBe(true);
        expect(got[2]![1].toString()).toBe('z');
      } finally {
        file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an entry that inflates to less than its declared size', () => {
    const zip = Buffer.from(zipSync({ 'a.txt': Buffer.from('hello world hello world') }));
    const entry = { ...listZip(zip, 10)[0]!, size: 1000 };
    expect(() => readZipEntry(zip, entry, 10_000)).toThrow(/inflates to 23 bytes, not its declared 1000/);
  });
});
