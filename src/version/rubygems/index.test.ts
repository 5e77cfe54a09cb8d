import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { rubygems } from './index.js';

describe('rubygems', () => {
  // nokogiri-style versions; order checked with Gem::Version.
  itSortsChain(
    rubygems,
    '1.9.9 < 1.15.5 < 1.16.a < 1.16.0.beta < 1.16.0.pre.1 < 1.16.0.rc1 < 1.16.0.rc2 < 1.16.0 = 1.16 < 1.16.0.1',
  );
  itSortsChain(rubygems, '1.0.A < 1.0.RC1 < 1.0.a < 1.0.a.1 < 1.0.b < 1.0.rc1 < 1.0');
  itSortsChain(rubygems, '1.0-1 = 1.0.pre.1 < 1.0.rc.1 = 1.0.rc1 < 1.0 = 1.0.0.0');
  itAccepts(rubygems, ['0', ' 1.0 ', '7.0.0.alpha2', '1.0-rc-1', '01.0']);
  itRejects(rubygems, ['1.0.0-x86_64-linux', 'v1.0', '.1', '1..0', '1.0.', 'a1', '1.0+build', '1.0-']);
});
