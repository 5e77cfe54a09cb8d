/**
 * Composer (Packagist) versions. A version is first normalised the way composer/semver's
 * VersionParser does (`v1.2` → `1.2.0.0`, `1.0.0-b2` → `1.0.0.0-beta2`, `1.0-p1` → `1.0.0.0-patch1`,
 * `2.x-dev` → `2.9999999.9999999.9999999-dev`, build metadata and `@stability` flags dropped) and
 * the normalised forms are ordered with PHP's `version_compare`:
 * `dev` < `alpha` = `a` < `beta` = `b` < `RC` < (number) < `patch` = `pl` = `p`.
 * Branch names (`dev-main`) have no order and are rejected.
 */

import { checkInput, compareDigits, isDigit, sign, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

// The stability modifier of composer's grammar. The number part is written without nested
// optional quantifiers so that hostile input cannot cause catastrophic backtracking.
const MODIFIER =
  '[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?[0-9]+(?:[.-][0-9]+)*))?)?([.-]?dev)?';
const CLASSIC = new RegExp(`^v?([0-9]{1,5})(\\.[0-9]+)?(\\.[0-9]+)?(\\.[0-9]+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?([0-9]{4}(?:[.:-]?[0-9]{2}){1,6}(?:[.:-]?[0-9]{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = /^v?([0-9]+)(\.(?:[0-9]+|[x*]))?(\.(?:[0-9]+|[x*]))?(\.(?:[0-9]+|[x*]))?$/i;

function expandStability(s: string): string {
  const lower = s.toLowerCase();
  switch (lower) {
    case 'a':
      return 'alpha';
    case 'b':
      return 'beta';
    case 'p':
    case 'pl':
      return 'patch';
    case 'rc':
      return 'RC';
    default:
      return lower;
  }
}

/** Normalise like composer/semver's `VersionParser::normalize`; branch names are rejected. */
export function normalizeComposer(input: string): string {
  const raw = checkInput('composer', input);
  const fail = (reason: string): never => {
    throw new InvalidVersionError('composer', raw, reason);
  };
  let v = raw.trim();
  v = v.replace(/@(?:stable|rc|beta|alpha|dev)$/i, '');
  if (['master', 'trunk', 'default'].includes(v) || /^dev-/i.test(v)) fail('branch names have no order');
  const plus = /^([^,\s+]+)\+\S+$/.exec(v);
  if (plus) v = plus[1]!;
  let m = CLASSIC.exec(v);
  let normalized: string | undefined;
  let index = 0;
  if (m) {
    normalized = m[1]! + (m[2] || '.0') + (m[3] || '.0') + (m[4] || '.0');
    index = 5;
  } else if ((m = DATE.exec(v))) {
    normalized = m[1]!.replace(/[^0-9]/g, '.');
    index = 2;
  }
  if (m && normalized !== undefined) {
    const stability = m[index];
    if (stability) {
      // Composer compares this case-sensitively, so only a lower-case "stable" is dropped.
      if (stability === 'stable') return normalized;
      normalized += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    if (m[index + 2]) normalized += '-dev';
    return normalized;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(v);
  if (dev) {
    const b = BRANCH.exec(dev[1]!.trim());
    if (b) {
      let out = '';
      for (let i = 1; i < 5; i++) out += b[i] !== undefined ? b[i]!.replace(/[*X]/g, 'x') : '.x';
      return `${out.replaceAll('x', '9999999')}-dev`;
    }
  }
  return fail('not a Composer version');
}

/** PHP's canonicalisation: `-`, `_`, `+` become `.`, and `.` separates letters from digits. */
function phpCanonical(v: string): string {
  if (v === '') return v;
  let out = v[0]!;
  const special = (c: string): boolean => c === '-' || c === '_' || c === '+';
  const isAlnum = (c: string): boolean => /[0-9A-Za-z]/.test(c);
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    const prev = v[i - 1]!;
    const prevDigit = isDigit(prev);
    const prevOther = !isDigit(prev) && prev !== '.';
    if (special(c)) {
      if (!out.endsWith('.')) out += '.';
    } else if ((prevOther && isDigit(c)) || (prevDigit && !isDigit(c) && c !== '.')) {
      if (!out.endsWith('.')) out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (!out.endsWith('.')) out += '.';
    } else {
      out += c;
    }
  }
  return out;
}

const SPECIAL_FORMS: readonly [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(s: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (s.startsWith(name)) return order;
  return -6;
}

function comparePart(x: string, y: string): -1 | 0 | 1 {
  const dx = isDigit(x[0]);
  const dy = isDigit(y[0]);
  if (dx && dy) return compareDigits(/^[0-9]*/.exec(x)![0] || '0', /^[0-9]*/.exec(y)![0] || '0');
  // A number ranks as the special form "#", between RC and patch.
  return sign(specialForm(dx ? '#' : x) - specialForm(dy ? '#' : y));
}

/**
 * PHP `version_compare` of two strings, for the well-formed strings that normalisation produces:
 * parts compare pairwise; when one side has more parts, a number there makes it newer and a word
 * is ranked against a plain number (so `1.0-beta` < `1.0` < `1.0-patch`).
 */
export function phpVersionCompare(a: string, b: string): -1 | 0 | 1 {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const pa = (a.startsWith('#') ? a : phpCanonical(a)).split('.');
  const pb = (b.startsWith('#') ? b : phpCanonical(b)).split('.');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const r = comparePart(pa[i]!, pb[i]!);
    if (r !== 0) return r;
  }
  if (pa.length > n) return isDigit(pa[n]![0]) ? 1 : phpVersionCompare(pa.slice(n).join('.'), '#N#');
  if (pb.length > n) return isDigit(pb[n]![0]) ? -1 : phpVersionCompare('#N#', pb.slice(n).join('.'));
  return 0;
}

export const composer: VersionScheme = {
  id: 'composer',
  isValid: validator(normalizeComposer),
  compare: (a, b) => phpVersionCompare(normalizeComposer(a), normalizeComposer(b)),
};
