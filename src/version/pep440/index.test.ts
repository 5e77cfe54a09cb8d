import { describe, expect, it } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { normalizePep440, pep440 } from './index.js';

describe('pep440', () => {
  // Order checked with packaging.version.
  itSortsChain(
    pep440,
    '0.9.9 < 1.4.2 < 1.4.2+cpu < 1.4.2+cu118 < 1.10.0 < 2.0.0.dev4 < 2.0.0a1.dev1 < 2.0.0b3 < 2.0.0rc1 < 2.0.0rc1.post1 < 2.0.0 < 2.0.0.post1.dev2 < 2.0.0.post1 < 1!0.1',
  );
  itSortsChain(pep440, '1.0+abc < 1.0+abc.a < 1.0+abc.1 < 1.0+abc.2 < 1.0+abc.10 < 1.0+1');

  it.each([
    ['1.0.0-ALPHA-1', '1.0.0a1'],
    ['v1.0', '1.0'],
    [' 1.0\n', '1.0'],
    ['1.0-1', '1.0.post1'],
    ['1.0-r2', '1.0.post2'],
    ['1.0rev', '1.0.post0'],
    ['1.0c1', '1.0rc1'],
    ['1.0preview2', '1.0rc2'],
    ['1.0_dev_3', '1.0.dev3'],
    ['0!1.01', '1.1'],
    ['007!1.0', '7!1.0'],
    ['1.0+Ubuntu-1_A', '1.0+ubuntu.1.a'],
    ['1.0a.post.dev', '1.0a0.post0.dev0'],
  ])('normalises %j to %s', (raw, normal) => {
    expect(normalizePep440(raw)).toBe(normal);
    expect(pep440.compare(raw, normal)).toBe(0);
  });

  itAccepts(pep440, ['1!2.0.0.post1.dev2+local.7', '2024.1', '1.0.POST1', 'V2']);
  // The first ones are real strings from PyPI advisories (git commits, free text).
  itRejects(pep440, [
    '80d9979d5f4a00217743d607078a1d867fad8acf',
    '0.3.2f.dev',
    '3.0.3-NA',
    '2005k',
    '1.0+',
    '1.0+local+again',
    '1!',
    '!1.0',
    '1.0-',
    '1.0..1',
    '1.0a1b1',
    'vv1.0',
  ]);
});
