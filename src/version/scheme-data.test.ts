import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { expectedResult, readCompareFile } from './compare-file.js';
import { listSchemes } from './index.js';

/** Every pair of every scheme's data file, in both directions. */
describe.each(listSchemes().map((s) => [s.id, s] as const))('%s compare.txt', (id, scheme) => {
  const file = fileURLToPath(new URL(`./${id}/testdata/compare.txt`, import.meta.url));
  const pairs = existsSync(file) ? readCompareFile(file) : [];

  it('has hundreds of pairs', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(300);
  });

  // One assertion over all pairs keeps the run fast; the failure lists every wrong line.
  it('agrees with every pair, in both directions', () => {
    const wrong: string[] = [];
    for (const p of pairs) {
      const want = expectedResult(p.op);
      const got = [scheme.compare(p.a, p.b), scheme.compare(p.b, p.a)];
      if (got[0] !== want || got[1] !== (want === 0 ? 0 : -want)) {
        wrong.push(`line ${p.line}: ${p.a} ${p.op} ${p.b}, got ${got.join('/')}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
