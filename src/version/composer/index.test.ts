import { describe, expect, it } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { composer, normalizeComposer, phpVersionCompare } from './index.js';

describe('composer', () => {
  // Order checked with composer/semver (VersionParser::normalize + Comparator).
  itSortsChain(
    composer,
    '10.4 < 10.4.5-dev < 10.4.5-alpha1 < 10.4.5-beta2 < 10.4.5-RC1 < 10.4.5 < 10.4.5-patch1 < v10.4.5.1 < 10.4.50 < 10.4.x-dev < 10.5.0-beta1',
  );
  itSortsChain(
    composer,
    '1.0.0-a1 = 1.0.0-alpha1 < 1.0.0-b1 = 1.0.0-beta.1 < 1.0.0-rc1 = 1.0.0-RC1 < 1.0.0-stable = 1.0.0+build < 1.0.0-p1 = 1.0.0-pl1',
  );

  it.each([
    ['v2.0.0-alpha4', '2.0.0.0-alpha4'],
    ['1.0.0-RC1', '1.0.0.0-RC1'],
    ['2.1-patch1', '2.1.0.0-patch1'],
    ['1.0.0-beta.1.2', '1.0.0.0-beta1.2'],
    ['1.0-dev', '1.0.0.0-dev'],
    ['1.0.0-beta1-dev', '1.0.0.0-beta1-dev'],
    ['2.x-dev', '2.9999999.9999999.9999999-dev'],
    ['1.2.*-dev', '1.2.9999999.9999999-dev'],
    ['2010-01-02', '2010.01.02'],
    ['1.0.0@beta', '1.0.0.0'],
    [' 1.0.0 ', '1.0.0.0'],
  ])('normalises %j to %s', (raw, normal) => {
    expect(normalizeComposer(raw)).toBe(normal);
  });

  it('orders normalised strings like PHP version_compare', () => {
    expect(phpVersionCompare('1.0.0.0-dev', '1.0.0.0-alpha1')).toBe(-1);
    expect(phpVersionCompare('1.0.0.0-beta1', '1.0.0.0-b1')).toBe(0);
    expect(phpVersionCompare('1.0.0.0', '1.0.0.0-patch1')).toBe(-1);
    expect(phpVersionCompare('1.0.0.0-stable', '1.0.0.0')).toBe(-1);
    expect(phpVersionCompare('', '1')).toBe(-1);
  });

  itAccepts(composer, ['123456.1', 'V2.1', '1.0.0beta2', '20100102.1', '1.0.0-RC', '1.0.0-pl']);
  // "11.1.5-0" and "6.7.2-7" are real Debian-derived strings that are not Composer versions.
  itRejects(composer, [
    'dev-main',
    'master',
    'dev-feature/x',
    '11.1.5-0',
    '6.7.2-7',
    '123456.1.2.3.4',
    '1.0.0-gamma',
    'latest',
    '1.0 as 2.0',
  ]);
});
