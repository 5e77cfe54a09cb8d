import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingPrerequisiteError, prerequisite } from './require.js';

afterEach(() => vi.restoreAllMocks());

describe('prerequisite', () => {
  it('passes what is there without a word', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(prerequisite(true, 'x', { BULWARK_REQUIRE_IMAGES: '1' })).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('skips loudly on a developer machine', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(prerequisite(false, 'rpm tests: rpm is not installed', {})).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPING rpm tests: rpm is not installed'));
  });

  it('fails under BULWARK_REQUIRE_IMAGES=1', () => {
    expect(() =>
      prerequisite(false, 'rpm tests: rpm is not installed', { BULWARK_REQUIRE_IMAGES: '1' }),
    ).toThrow(MissingPrerequisiteError);
    expect(() =>
      prerequisite(false, 'rpm tests: rpm is not installed', { BULWARK_REQUIRE_IMAGES: '1' }),
    ).toThrow(/BULWARK_REQUIRE_IMAGES=1 .*rpm tests: rpm is not installed/);
  });
});
