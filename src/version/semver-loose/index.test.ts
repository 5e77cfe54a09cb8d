import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { readCompareFile } from '../compare-file.js';
import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { semver } from '../semver/index.js';
import { parseLooseSemver, semverLoose } from './index.js';

describe('semver-loose', () => {
  // Bitnami minio fixed versions, as its records write them: zero-padded and not, mixed.
  itSortsChain(
    semverLoose,
    '2019.09.25 < 2020.04.23 < 2021.03.04 = 2021.3.4 < 2021.03.17 < 2021.12.09 < 2022.6.23 < 2022.07.24 < 2024.1.31 < 2024.03.30',
  );
  itSortsChain(semverLoose, '0.9 < 1-rc.1 < 1 = 1.0 = 1.0.0 = v1.0.0 = 01.00.000 < 1.0.1 < 1.2 < 1.10 < 2');
  itAccepts(semverLoose, [
    '2021.03.04',
    '1',
    '2.4',
    'v1.2',
    '007',
    '2.4-rc.1',
    '1+build.5',
    '1.2.3',
    '0.0.0',
  ]);
  itRejects(semverLoose, [
    'nightly.2026-03-10.0', // a real Bitnami event (mastodon): no order against 4.6.0
    '1.2.3.4',
    '1.2.3-01', // pre-release rules stay SemVer 2.0.0
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '1.',
    '.1',
    '1..2',
    '=1.2.3',
    'vv1.2.3',
    'V1.2.3',
    '1.2.3_beta',
    'latest',
  ]);

  it('pads a missing minor and patch with 0 and keeps the digits as written', () => {
    expect(parseLooseSemver('2.4-rc.1+b')).toEqual({
      major: '2',
      minor: '4',
      patch: '0',
      prerelease: ['rc', '1'],
      build: ['b'],
    });
    expect(parseLooseSemver('v2021.03.04')).toMatchObject({ major: '2021', minor: '03', patch: '04' });
  });

  it('names its own scheme in errors', () => {
    expect(() => semverLoose.compare('1.2.3.4', '1')).toThrow('invalid semver-loose version "1.2.3.4"');
  });

  // The leniency only widens what parses: strict SemVer versions keep exactly their strict order.
  it('agrees with the strict semver scheme on every pair of its data file', () => {
    const file = fileURLToPath(new URL('../semver/testdata/compare.txt', import.meta.url));
    const pairs = readCompareFile(file);
    expect(pairs.length).toBeGreaterThan(300);
    const wrong = pairs
      .filter((p) => semverLoose.compare(p.a, p.b) !== semver.compare(p.a, p.b))
      .map((p) => `line ${p.line}: ${p.a} ${p.op} ${p.b}`);
    expect(wrong).toEqual([]);
  });
});
