/**
 * Python versions per PEP 440 (the rules of `packaging.version.Version`). Accepts every spelling the
 * PEP normalises: any case, a leading `v`, surrounding whitespace, `-`/`_`/`.` separators, `alpha`/
 * `beta`/`c`/`pre`/`preview`, `rev`/`r`, the implicit post-release `1.0-1`, and implicit `0` numbers.
 * Order: epoch, release (trailing zeros ignored), then `.devN` < `aN` < `bN` < `rcN` < release <
 * `.postN`, dev-releases of a pre/post release just before it, and a local version `+…` just after
 * the same public version (numeric local parts above alphanumeric ones).
 */

import { checkInput, compareDigits, compareIdentifierLists, stripZeros, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

export interface Pep440Version {
  epoch: string;
  release: string[];
  pre?: { label: 'a' | 'b' | 'rc'; n: string };
  post?: string;
  dev?: string;
  local?: string[];
}

// The grammar of PEP 440's appendix, matched case-insensitively.
const PEP440 = new RegExp(
  '^v?' +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' + // pre-release
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' + // post-release, incl. implicit "-N"
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // dev-release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$', // local version
  'i',
);

const PRE_LABEL: Readonly<Record<string, 'a' | 'b' | 'rc'>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

export function parsePep440(input: string): Pep440Version {
  const raw = checkInput('pep440', input);
  const m = PEP440.exec(raw.trim());
  if (!m) throw new InvalidVersionError('pep440', raw, 'not a PEP 440 version');
  const version: Pep440Version = { epoch: m[1] ?? '0', release: m[2]!.split('.') };
  if (m[3]) version.pre = { label: PRE_LABEL[m[3].toLowerCase()]!, n: m[4] ?? '0' };
  if (m[5] !== undefined) version.post = m[5];
  else if (m[6]) version.post = m[7] ?? '0';
  if (m[8]) version.dev = m[9] ?? '0';
  if (m[10]) version.local = m[10].toLowerCase().split(/[-_.]/);
  return version;
}

function compareRelease(a: readonly string[], b: readonly string[]): -1 | 0 | 1 {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const r = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (r !== 0) return r;
  }
  return 0;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

/** Rank of the pre-release slot: a bare dev-release sorts before every pre-release of its version. */
function preKey(v: Pep440Version): [number, string] {
  if (v.pre) return [PRE_RANK[v.pre.label], v.pre.n];
  if (v.post === undefined && v.dev !== undefined) return [-1, ''];
  return [3, ''];
}

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): -1 | 0 | 1 {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return compareIdentifierLists(a, b, 'high');
}

/** Compare optional numbers where "absent" sorts below (`low`) or above every number. */
function compareOptional(a: string | undefined, b: string | undefined, absent: 'low' | 'high'): -1 | 0 | 1 {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    const aAbsent = a === undefined ? 1 : -1;
    return (absent === 'low' ? -aAbsent : aAbsent) as -1 | 1;
  }
  return compareDigits(a, b);
}

export function comparePep440(x: Pep440Version, y: Pep440Version): -1 | 0 | 1 {
  const [xr, xn] = preKey(x);
  const [yr, yn] = preKey(y);
  return (
    compareDigits(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    (xr < yr ? -1 : xr > yr ? 1 : 0) ||
    compareDigits(xn || '0', yn || '0') ||
    compareOptional(x.post, y.post, 'low') ||
    compareOptional(x.dev, y.dev, 'high') ||
    compareLocal(x.local, y.local)
  );
}

/** The normalised form of a version (`1.0.0-ALPHA-1` → `1.0.0a1`), as PEP 440 defines it. */
export function normalizePep440(input: string): string {
  const v = parsePep440(input);
  let s = v.epoch !== '0' && stripZeros(v.epoch) !== '' ? `${stripZeros(v.epoch)}!` : '';
  s += v.release.map((n) => stripZeros(n) || '0').join('.');
  if (v.pre) s += `${v.pre.label}${stripZeros(v.pre.n) || '0'}`;
  if (v.post !== undefined) s += `.post${stripZeros(v.post) || '0'}`;
  if (v.dev !== undefined) s += `.dev${stripZeros(v.dev) || '0'}`;
  if (v.local) s += `+${v.local.join('.')}`;
  return s;
}

export const pep440: VersionScheme = {
  id: 'pep440',
  isValid: validator(parsePep440),
  compare: (a, b) => comparePep440(parsePep440(a), parsePep440(b)),
};
