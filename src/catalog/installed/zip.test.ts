import { describe, it, expect } from 'vitest';
import { zipSync, deflateSync } from 'fflate';
import { listZip, readZipEntry } from './zip.js';

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
});
