/**
 * Lenient SemVer for OSV `SEMVER` ranges and for ecosystems that publish almost-SemVer versions
 * (Bitnami). The OSV schema asks for SemVer 2.0.0 in `SEMVER` ranges, but real records carry dates
 * with leading zeros (`2021.03.04`, Bitnami's minio), and osv.dev itself coerces such versions before
 * comparing them. This scheme accepts, on top of strict SemVer:
 *
 * - a missing minor or patch, taken as 0 (`1` = `1.0.0`, `2.4-rc.1` = `2.4.0-rc.1`);
 * - leading zeros in major, minor and patch, compared as numbers (`2021.03.04` = `2021.3.4`);
 * - a leading `v` (strict `semver` accepts it too).
 *
 * Pre-release and build rules are SemVer 2.0.0 unchanged, so is the order: for any two strict SemVer
 * versions this scheme and `semver` agree. Anything else (`1.2.3.4`, `nightly.2026-03-10.0`) is
 * still invalid, because guessing an order for it could hide a vulnerability.
 */

import { checkInput, validator } from '../compare-util.js';
import { compareParsedSemver, SEMVER_SUFFIX, type SemVer } from '../semver/index.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

const LOOSE = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?${SEMVER_SUFFIX}$`);

/** Parse a lenient SemVer string; missing minor/patch become `0`, numbers keep their digits as written. */
export function parseLooseSemver(input: string): SemVer {
  const v = checkInput('semver-loose', input);
  const m = LOOSE.exec(v);
  if (!m) {
    throw new InvalidVersionError('semver-loose', v, 'not MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]');
  }
  return {
    major: m[1]!,
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
  };
}

export const semverLoose: VersionScheme = {
  id: 'semver-loose',
  isValid: validator(parseLooseSemver),
  // compareParsedSemver compares digit strings numerically, so leading zeros need no normalising.
  compare: (a, b) => compareParsedSemver(parseLooseSemver(a), parseLooseSemver(b)),
};
