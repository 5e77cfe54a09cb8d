/**
 * Small helpers shared by the version schemes. Numbers in versions can be arbitrarily long (dates,
 * build numbers, hostile input), so numeric parts are compared as digit strings, never via `Number`.
 */

import { InvalidVersionError, type VersionSchemeId } from './types.js';

/** Upper bound on version length; real versions are far shorter, and it bounds work on hostile input. */
export const MAX_VERSION_LENGTH = 1024;

/** -1, 0 or 1 for any numeric difference. */
export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compare two strings by UTF-16 code unit (like C `strcmp` for ASCII). */
export function compareStrings(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare two non-empty runs of ASCII digits numerically, without converting to a number. */
export function compareDigits(a: string, b: string): -1 | 0 | 1 {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/** Drop leading zeros; an all-zero run becomes the empty string. */
export function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function isAsciiLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** Reject input that is not a string, empty, or unreasonably long, before any parsing. */
export function checkInput(scheme: VersionSchemeId, v: unknown): string {
  if (typeof v !== 'string') throw new InvalidVersionError(scheme, String(v), 'not a string');
  if (v.length === 0) throw new InvalidVersionError(scheme, v, 'empty version');
  if (v.length > MAX_VERSION_LENGTH) {
    throw new InvalidVersionError(
      scheme,
      `${v.slice(0, 32)}…`,
      `longer than ${MAX_VERSION_LENGTH} characters`,
    );
  }
  return v;
}

/** Build `isValid` from a parser that throws {@link InvalidVersionError}. */
export function validator(parse: (v: string) => unknown): (v: string) => boolean {
  return (v) => {
    try {
      parse(v);
      return true;
    } catch (err) {
      if (err instanceof InvalidVersionError) return false;
      throw err;
    }
  };
}

/**
 * Compare two lists of identifiers (pre-release or local labels) element by element: both numeric →
 * numerically; numeric against alphanumeric → the numeric one is `numeric` (`low`: sorts first, `high`:
 * sorts last); else as strings after `fold`. When one list is a prefix of the other, the shorter sorts first.
 */
export function compareIdentifierLists(
  a: readonly string[],
  b: readonly string[],
  numeric: 'low' | 'high',
  fold: (s: string) => string = (s) => s,
): -1 | 0 | 1 {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    let r: -1 | 0 | 1;
    if (nx && ny) r = compareDigits(x, y);
    else if (nx !== ny) r = nx === (numeric === 'low') ? -1 : 1;
    else r = compareStrings(fold(x), fold(y));
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
