/**
 * A cataloger's ordinary failure is an unknown (the rest of the SBOM survives); the engine running out
 * of stack or memory is not a property of the file and must fail the run instead of reading as
 * "0 packages".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { tempDir } from '../source/test-support/build.js';
import { isResourceExhaustion } from '../util/errors.js';
import { catalogSource } from './run.js';
import type { Cataloger } from './types.js';

function folder(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), 'x');
  return dir;
}

const cataloger = (fail: () => never): Cataloger => ({
  id: 'failing',
  version: 1,
  match: (p) => p.endsWith('/data.txt'),
  catalog: () => fail(),
});

describe('cataloger failures', () => {
  it('an ordinary error becomes an unknown', async () => {
    const { sbom } = await catalogSource(await openSource(folder()), {
      catalogers: [
        cataloger(() => {
          throw new Error('bad file');
        }),
      ],
    });
    expect(sbom.unknowns.map((u) => u.reason)).toContain('cataloger failing failed: bad file');
  });

  it('a stack overflow (e.g. Math.max(...hugeArray)) fails the run', async () => {
    const huge = new Array<number>(5_000_000).fill(1);
    const err = await catalogSource(await openSource(folder()), {
      catalogers: [cataloger(() => Math.max(...huge) as never)],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(isResourceExhaustion(err)).toBe(true);
  });

  it("Node's own range errors (truncated binary input) stay ordinary bad input", () => {
    let err: unknown;
    try {
      Buffer.alloc(2).readUInt32LE(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(isResourceExhaustion(err)).toBe(false);
  });
});
