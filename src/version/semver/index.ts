/**
 * Semantic Versioning 2.0.0 (npm, crates.io, and most ecosystems that say "semver"). Precedence
 * follows the spec: major.minor.patch numerically, a pre-release sorts before its release,
 * pre-release identifiers compare numerically when both are numeric, numeric before alphanumeric,
 * otherwise by ASCII; build metadata is ignored. A leading `v` is accepted, as npm does.
 */

import { checkInput, compareDigits, compareStrings, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme, type VersionSchemeId } from '../types.js';

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUMBER = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
/**
 * Regex source of the SemVer 2.0.0 suffixes, `-PRERELEASE` (group 1) and `+BUILD` (group 2), both
 * optional; shared with the lenient `semver-loose` scheme so the two never disagree on them.
 */
export const SEMVER_SUFFIX = `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?`;
const SEMVER = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})${SEMVER_SUFFIX}$`);

/** Parse a strict SemVer 2.0.0 string (optional leading `v`). `scheme` names the error's scheme. */
export function parseSemver(input: string, scheme: VersionSchemeId = 'semver'): SemVer {
  const v = checkInput(scheme, input);
  const m = SEMVER.exec(v.startsWith('v') ? v.slice(1) : v);
  if (!m) throw new InvalidVersionError(scheme, v, 'not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]');
  return {
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
  };
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

/** Compare two dot-separated pre-release identifier lists; an empty list (a release) is greatest. */
export function comparePrerelease(a: readonly string[], b: readonly string[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    let r: -1 | 0 | 1;
    if (nx && ny) r = compareDigits(x, y);
    else if (nx !== ny) r = nx ? -1 : 1;
    else r = compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** SemVer precedence of two parsed versions (build metadata ignored). */
export function compareParsedSemver(x: SemVer, y: SemVer): -1 | 0 | 1 {
  return (
    compareDigits(x.major, y.major) ||
    compareDigits(x.minor, y.minor) ||
    compareDigits(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

export const semver: VersionScheme = {
  id: 'semver',
  isValid: validator((v) => parseSemver(v)),
  compare: (a, b) => compareParsedSemver(parseSemver(a), parseSemver(b)),
};
