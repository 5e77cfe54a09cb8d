/**
 * NuGet versions, ordered like NuGet.Versioning's default VersionComparer: one to four numeric parts
 * (`1.2` = `1.2.0` = `1.2.0.0`; the fourth "revision" part is significant), an optional release label
 * list after `-` that makes the version a pre-release, and `+metadata`, which is ignored. Labels
 * compare part by part: numerically when both are numbers, numbers before text, text
 * case-insensitively (`1.0.0-BETA` = `1.0.0-beta`).
 */

import { checkInput, compareDigits, compareIdentifierLists, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

export interface NugetVersion {
  parts: [string, string, string, string];
  release: string[];
}

const LABEL = '[0-9A-Za-z-]+';
const NUGET = new RegExp(
  `^([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${LABEL}(?:\\.${LABEL})*))?(?:\\+(${LABEL}(?:\\.${LABEL})*))?$`,
);
const INT32_MAX = '2147483647';

export function parseNuget(input: string): NugetVersion {
  const v = checkInput('nuget', input);
  const m = NUGET.exec(v);
  if (!m)
    throw new InvalidVersionError('nuget', v, 'not MAJOR[.MINOR[.PATCH[.REVISION]]][-LABELS][+METADATA]');
  const parts = [m[1]!, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'] as NugetVersion['parts'];
  // NuGet stores each part in an int.
  if (parts.some((p) => compareDigits(p, INT32_MAX) > 0))
    throw new InvalidVersionError('nuget', v, 'number too large');
  const release = m[5] ? m[5].split('.') : [];
  if (release.some((l) => /^0[0-9]+$/.test(l))) {
    throw new InvalidVersionError('nuget', v, 'numeric release label with a leading zero');
  }
  return { parts, release };
}

function compareLabels(a: readonly string[], b: readonly string[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  // Ordinal ignore-case compares upper-cased characters.
  return compareIdentifierLists(a, b, 'low', (s) => s.toUpperCase());
}

export function compareNuget(x: NugetVersion, y: NugetVersion): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(x.parts[i]!, y.parts[i]!);
    if (r !== 0) return r;
  }
  return compareLabels(x.release, y.release);
}

export const nuget: VersionScheme = {
  id: 'nuget',
  isValid: validator(parseNuget),
  compare: (a, b) => compareNuget(parseNuget(a), parseNuget(b)),
};
