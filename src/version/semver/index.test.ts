import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { semver } from './index.js';

describe('semver', () => {
  // The precedence example of the SemVer 2.0.0 specification, plus build metadata.
  itSortsChain(
    semver,
    '0.9.12 < 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0 = 1.0.0+build.9 < 1.0.1 < 10.0.0',
  );
  itSortsChain(semver, '1.0.0-0 < 1.0.0-999999999999999999999 < 1.0.0-A < 1.0.0-a < 1.0.0-a-b');
  itAccepts(semver, [
    'v1.2.3',
    '0.0.0',
    '1.0.0-x-y-z.--',
    '1.0.0+0.build.1-rc.10000aaa-kk-0.1',
    '99999999999999999999.0.0',
  ]);
  itRejects(semver, [
    '1',
    '1.2',
    '01.2.3',
    '1.02.3',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '=1.2.3',
    'vv1.2.3',
    '1.2.3.4',
    '1.2.3_beta',
  ]);
});
