/**
 * RPM versions (`[epoch:]version[-release]`), ordered like rpm 4.18: epochs numerically (missing = 0),
 * then version and release with rpmvercmp. rpmvercmp splits strings into alphabetic and numeric
 * segments, skipping other separators; `~` sorts before everything (pre-releases), `^` sorts after
 * the base version but before any further segment (post-release snapshots); numeric segments beat
 * alphabetic ones. A missing release sorts before any release, as `rpm.vercmp` does.
 */

import {
  checkInput,
  compareDigits,
  compareStrings,
  isAsciiLetter,
  isDigit,
  validator,
} from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

interface Evr {
  epoch: string;
  version: string;
  release: string;
}

export function parseRpm(input: string): Evr {
  const v = checkInput('rpm', input);
  const fail = (reason: string): never => {
    throw new InvalidVersionError('rpm', v, reason);
  };
  if (/[\s\p{Cc}]/u.test(v)) fail('whitespace or control character');
  // Like rpm's EVR parser: an epoch is a run of digits directly followed by ':'.
  const m = /^([0-9]*):/.exec(v);
  let epoch = '0';
  let rest = v;
  if (m) {
    epoch = m[1] || '0';
    rest = v.slice(m[0].length);
  }
  if (rest.includes(':')) fail('":" outside the epoch');
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : '';
  if (version === '') fail('empty version');
  if (dash >= 0 && release === '') fail('empty release');
  return { epoch, version, release };
}

function isAlnum(c: string | undefined): boolean {
  return isDigit(c) || isAsciiLetter(c);
}

/** rpmvercmp: compare one version or release string. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    const ca = a[i];
    const cb = b[j];
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === undefined) return -1;
      if (cb === undefined) return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === undefined || cb === undefined) break;
    const numeric = isDigit(ca);
    const take = numeric ? isDigit : isAsciiLetter;
    const si = i;
    while (i < a.length && take(a[i])) i++;
    const sj = j;
    while (j < b.length && take(b[j])) j++;
    // Segments of different kinds: the numeric one is newer.
    if (sj === j) return numeric ? 1 : -1;
    const sa = a.slice(si, i);
    const sb = b.slice(sj, j);
    const r = numeric ? compareDigits(sa, sb) : compareStrings(sa, sb);
    if (r !== 0) return r;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}

export const rpm: VersionScheme = {
  id: 'rpm',
  isValid: validator(parseRpm),
  compare(a, b) {
    const x = parseRpm(a);
    const y = parseRpm(b);
    return (
      compareDigits(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release)
    );
  },
};
