import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { apk } from './index.js';

describe('apk', () => {
  itSortsChain(
    apk,
    '3.1 < 3.1.04-r0 < 3.1.4_alpha-r0 < 3.1.4_rc1-r0 < 3.1.4-r0 < 3.1.4-r5 < 3.1.4~6a3b2c-r0 < 3.1.4_git20230101-r0 < 3.1.4_p1-r0 < 3.1.4a-r0 < 3.1.40-r0 < 3.2-r0',
  );
  itSortsChain(
    apk,
    '1.0_alpha < 1.0_beta < 1.0_pre < 1.0_rc < 1.0 < 1.0_cvs < 1.0_svn < 1.0_git < 1.0_hg < 1.0_p',
  );
  itSortsChain(apk, '1.001 < 1.01 < 1.010 < 1.1 = 01.1 < 1.10');
  itAccepts(apk, ['0', '2.4.41-r0', '1.0_alpha_pre1', '1.0b_p1-r3', '1.2.3~abcdef0-r1', '7.5_p1-r10']);
  // The first six are real (mis-typed) entries of the Alpine secdb.
  itRejects(apk, [
    '0.12.5.-r0',
    '10.2.22.r0',
    '2.15.r-r1',
    '2.7.16-33',
    '4.10-1-r1',
    '6.6.2p1-r0',
    'v1.0',
    '1.0_foo',
    '1.0-r',
    '1.0-r1-r2',
    '1.0~',
    '1.0~xyz',
    '1.0a1',
    'A1',
    '1.0-r1_p1',
  ]);
});
