import { describe, expect, it } from 'vitest';
import { byteProgressText, createProgress, humanBytes } from './progress.js';

describe('progress', () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = [];
    return { stream: { isTTY, write: (t: string) => out.push(t) }, out };
  };

  it('draws only on a terminal', () => {
    const tty = sink(true);
    const p = createProgress(tty.stream);
    p.update('Go/all.zip: 1.0 MB');
    p.log('osv:Go: 10 records');
    p.done();
    expect(tty.out.join('')).toContain('Go/all.zip: 1.0 MB');
    expect(tty.out.join('')).toContain('osv:Go: 10 records\n');

    const pipe = sink(false);
    const q = createProgress(pipe.stream);
    q.update('x');
    q.log('y');
    q.done();
    expect(pipe.out).toEqual([]);
  });

  it.each([
    [999, '999 B'],
    [1500, '1.5 KB'],
    [12_345_678, '12.3 MB'],
  ])('humanBytes(%s) = %s', (n, text) => expect(humanBytes(n)).toBe(text));

  it('says how far a byte count is, with or without a known total', () => {
    expect(byteProgressText('reading', 1_500_000, 3_000_000)).toBe('reading 50% (1.5 MB / 3.0 MB)');
    expect(byteProgressText('reading', 2_000, 0)).toBe('reading (2.0 KB)');
    expect(byteProgressText('reading', 5, 4)).toBe('reading 100% (5 B / 4 B)');
  });
});
