import { describe, expect, it } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { rpm, rpmvercmp } from './index.js';

describe('rpm', () => {
  // openssl in AlmaLinux 9; order checked with rpm.vercmp.
  itSortsChain(
    rpm,
    '3.0.7-27.el9 < 1:3.0.7~rc1-1.el9 < 1:3.0.7 < 1:3.0.7-6.el9_2 < 1:3.0.7-27.el9 < 1:3.0.7-28.el9_4 < 1:3.0.7-28.el9_4.alma < 1:3.0.7-28.el9_4.1 < 1:3.0.7^20240101git1-1.el9 < 1:3.0.10-1.el9',
  );
  itSortsChain(rpm, '1.0~rc1 < 1.0~rc1^git1 < 1.0 < 1.0^ < 1.0^git1 < 1.0.1');
  itSortsChain(rpm, '1.0 = 0:1.0 < 1.0-1 < 1:0.1');

  it('compares version strings segment by segment (rpmvercmp)', () => {
    expect(rpmvercmp('1.010', '1.10')).toBe(0);
    expect(rpmvercmp('1..0', '1.0')).toBe(0);
    expect(rpmvercmp('1.0a', '1.0.1')).toBe(-1);
    expect(rpmvercmp('xyz.4', '8')).toBe(-1);
    expect(rpmvercmp('A', 'a')).toBe(-1);
  });

  itAccepts(rpm, [
    '1.0.9-1.el9',
    '1:22.13.1-1.module_el9.5.0+139+09296491',
    '5.14.0-427.13.1.el9_4',
    'abc',
    ':1.0-1',
  ]);
  itRejects(rpm, ['1.0-', '-1', '1:', '1:1:1.0', '1.0 -1', 'a:1.0-1']);
});
