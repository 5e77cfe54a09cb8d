import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { dpkg } from './index.js';

describe('dpkg', () => {
  // openssl in bookworm; order checked with dpkg --compare-versions.
  itSortsChain(
    dpkg,
    '3.0.11-1~deb12u2 < 1:3.0.9-1 < 1:3.0.11~rc1-1 < 1:3.0.11-0.1 < 1:3.0.11-1~ < 1:3.0.11-1~deb12u2 < 1:3.0.11-1~deb12u2+b1 < 1:3.0.11-1 < 1:3.0.11-1+deb12u1 < 1:3.0.13-1~deb12u1',
  );
  itSortsChain(dpkg, '1.0~~ < 1.0~ < 1.0 = 1.0-0 = 0:1.0 < 1.0a < 1.0+ < 1.0+b1 < 1.0. = 1.0.0');
  itSortsChain(dpkg, '9:9.9 < 10:0.1');
  itAccepts(dpkg, [
    '0',
    '1:0',
    '2.36-9+deb12u4',
    '1.2.3-1ubuntu0.1~esm2',
    '1:1.0:2-1',
    '1.0-a-1',
    ' 1.0 ',
    '2147483647:1',
  ]);
  // Real malformed strings (advisory text) and the failures `dpkg --validate-version` reports.
  itRejects(dpkg, [
    'end of life',
    'a1.0',
    '1.0-',
    '1.0:1-1',
    '1.0:2-1',
    ':1.0',
    '1:',
    'x:1.0',
    '1.0_1',
    '1.0-1_2',
    '2147483648:1',
    '1.0 1',
  ]);
});
