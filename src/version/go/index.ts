/**
 * Go module versions, ordered like golang.org/x/mod/semver: SemVer 2.0.0 with a `v` prefix (optional
 * here, because OSV Go data omits it), the shorthands `v1` and `v1.2` (meaning `v1.0.0`, `v1.2.0`),
 * and build metadata ignored — so `v2.0.0+incompatible` equals `v2.0.0`. Pseudo-versions
 * (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…`) are pre-releases and need no special
 * case: their timestamp identifiers order them.
 */

import { checkInput, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';
import { compareParsedSemver, parseSemver, type SemVer } from '../semver/index.js';

const SHORTHAND = /^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/;

export function parseGo(input: string): SemVer {
  const v = checkInput('go', input);
  const body = v.startsWith('v') ? v.slice(1) : v;
  if (body.startsWith('v')) throw new InvalidVersionError('go', v, 'more than one "v" prefix');
  // x/mod/semver accepts vMAJOR and vMAJOR.MINOR, but only without pre-release or build suffixes.
  const short = SHORTHAND.exec(body);
  if (short) return { major: short[1]!, minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  try {
    return parseSemver(body, 'go');
  } catch {
    throw new InvalidVersionError('go', v, 'not a Go module version (vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]])');
  }
}

export const go: VersionScheme = {
  id: 'go',
  isValid: validator(parseGo),
  compare: (a, b) => compareParsedSemver(parseGo(a), parseGo(b)),
};
