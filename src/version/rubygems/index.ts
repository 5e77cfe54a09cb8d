/**
 * RubyGems versions, ordered like `Gem::Version#<=>`. A version is dot-separated numbers and letter
 * runs (`1.0.0.rc1` → 1, 0, 0, "rc", 1); any letter makes it a pre-release, sorting before the
 * numbers it replaces. `-` means `.pre.` (`1.0-1` = `1.0.pre.1`). Trailing zeros are ignored both in
 * the release part and in the pre-release part, and letter runs compare byte-wise (`RC` < `rc`).
 */

import { checkInput, compareDigits, compareStrings, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

type Segment = string; // digits or letters

const GEM_VERSION = /^[0-9]+(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const isNumber = (s: Segment): boolean => s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57;

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isNumber(segments[end - 1]!) && /^0+$/.test(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

/** Canonical segments: the numeric head and the pre-release tail, each without trailing zeros. */
export function parseRubygems(input: string): Segment[] {
  const raw = checkInput('rubygems', input);
  const v = raw.trim();
  if (!GEM_VERSION.test(v)) throw new InvalidVersionError('rubygems', raw, 'not a RubyGems version');
  const segments = v.replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? [];
  const firstString = segments.findIndex((s) => !isNumber(s));
  const head = firstString === -1 ? segments : segments.slice(0, firstString);
  const tail = firstString === -1 ? [] : segments.slice(firstString);
  return [...dropTrailingZeros(head), ...dropTrailingZeros(tail)];
}

export function compareRubygems(a: Segment[], b: Segment[]): -1 | 0 | 1 {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '0';
    const y = b[i] ?? '0';
    const nx = isNumber(x);
    const ny = isNumber(y);
    if (nx && ny) {
      const r = compareDigits(x, y);
      if (r !== 0) return r;
    } else if (nx !== ny) {
      return nx ? 1 : -1;
    } else if (x !== y) {
      return compareStrings(x, y);
    }
  }
  return 0;
}

export const rubygems: VersionScheme = {
  id: 'rubygems',
  isValid: validator(parseRubygems),
  compare: (a, b) => compareRubygems(parseRubygems(a), parseRubygems(b)),
};
