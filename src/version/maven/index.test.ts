import { describe, expect, it } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { canonicalMaven, maven } from './index.js';

describe('maven', () => {
  // Order checked with maven-artifact 3.9.9's ComparableVersion.
  itSortsChain(
    maven,
    '2.15.0-alpha1 < 2.15.0-beta-2 < 2.15.0-M3 < 2.15.0-rc1 < 2.15.0-SNAPSHOT < 2.15.0 = 2.15.0.Final = 2.15 < 2.15.0-sp1 < 2.15.0-jre < 2.15.0.1 < 2.15.1',
  );
  itSortsChain(
    maven,
    '1-alpha < 1-beta < 1-milestone < 1-rc = 1-cr < 1-snapshot < 1 = 1-ga = 1-final = 1-release < 1-sp < 1-abc < 1-1 < 1.1',
  );
  itSortsChain(
    maven,
    '4.1.99.Final < 4.1.100.Final < 9.4.53.v20231009 < 9223372036854775807 < 9223372036854775808',
  );

  it.each([
    ['1.0.0', '1'],
    ['1.0-RC1', '1-rc-1'],
    ['1.0.0.M1', '1-milestone-1'],
    ['1.0alpha1', '1-alpha-1'],
    ['1-0-alpha', '1-alpha'],
    ['4.1.100.Final', '4.1.100'],
    ['32.0.1-jre', '32.0.1-jre'],
    ['1-1.foo-bar1baz-.1', '1-1.foo-bar-1-baz-0.1'],
  ])('canonical form of %s is %s', (v, canonical) => {
    expect(canonicalMaven(v)).toBe(canonical);
  });

  it('keeps Maven’s own intransitive corner: 1 < 1-sp < 1-0-alpha, yet 1 > 1-0-alpha', () => {
    expect(maven.compare('1', '1-sp')).toBe(-1);
    expect(maven.compare('1-sp', '1-0-alpha')).toBe(-1);
    expect(maven.compare('1', '1-0-alpha')).toBe(1);
  });

  itAccepts(maven, ['unknown', '9999.0-empty-to-avoid-conflict-with-guava', '.1', '1..', '-', 'RELEASE']);
  itRejects(maven, ['1.0 beta', '1.0\t', '\u00001']);
});
