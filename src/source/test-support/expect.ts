/** Assertions and probes shared by the source tests. */
import { expect } from 'vitest';
import { catalogSource } from '../../catalog/run.js';
import { BulwarkError } from '../../util/errors.js';
import type { Source } from '../types.js';

/**
 * The error `p` rejects with, asserting it is one of ours and fits on one line (what users see);
 * fails the test when `p` resolves.
 */
export async function failure(p: Promise<unknown>): Promise<BulwarkError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BulwarkError);
  expect((err as Error).message).not.toContain('\n');
  return err as BulwarkError;
}

/** The packages cataloged from `source`, as JSON for comparing sources; closes the source. */
export async function packagesOf(source: Source): Promise<string> {
  try {
    return JSON.stringify((await catalogSource(source)).sbom.packages);
  } finally {
    await source.close();
  }
}
