/**
 * Table-test helpers shared by the per-scheme test files (not a test file itself).
 */

import { expect, it } from 'vitest';

import { expectedResult, parseChain } from './compare-file.js';
import { InvalidVersionError, type VersionScheme } from './types.js';

/** The chain holds pairwise, and sorting its versions in any order reproduces it. */
export function itSortsChain(scheme: VersionScheme, chain: string): void {
  it(`orders ${chain.length > 60 ? `${chain.slice(0, 60)}…` : chain}`, () => {
    const pairs = parseChain(chain);
    for (const p of pairs)
      expect(scheme.compare(p.a, p.b), `${p.a} ${p.op} ${p.b}`).toBe(expectedResult(p.op));
    const expected = [pairs[0]!.a, ...pairs.map((p) => p.b)];
    const sorted = [...expected].reverse().sort((a, b) => scheme.compare(a, b));
    sorted.forEach((v, i) => expect(scheme.compare(v, expected[i]!), `${v} at ${i}`).toBe(0));
  });
}

/** Each version is rejected by isValid and makes compare throw InvalidVersionError. */
export function itRejects(scheme: VersionScheme, versions: readonly string[]): void {
  it.each(versions.map((v) => [v]))('rejects %j', (v) => {
    expect(scheme.isValid(v)).toBe(false);
    expect(() => scheme.compare(v, v)).toThrow(InvalidVersionError);
  });
}

/** Each version is accepted. */
export function itAccepts(scheme: VersionScheme, versions: readonly string[]): void {
  it.each(versions.map((v) => [v]))('accepts %j', (v) => {
    expect(scheme.isValid(v)).toBe(true);
    expect(scheme.compare(v, v)).toBe(0);
  });
}
