/**
 * Debian package versions (`[epoch:]upstream[-revision]`), ordered as `dpkg --compare-versions` does:
 * epochs numerically, then upstream and revision with the verrevcmp rules (`~` sorts before
 * everything, even the end of the string; letters sort before other symbols; digit runs compare
 * numerically). A missing revision equals revision `0`.
 */

import { checkInput, compareDigits, isAsciiLetter, isDigit, sign, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/** Parse with the rules of `dpkg --validate-version`. */
export function parseDpkg(input: string): DpkgVersion {
  const raw = checkInput('dpkg', input);
  // dpkg itself ignores surrounding blanks but rejects embedded ones.
  const v = raw.trim();
  const fail = (reason: string): never => {
    throw new InvalidVersionError('dpkg', raw, reason);
  };
  if (v === '') fail('empty version');
  if (/\s/.test(v)) fail('embedded whitespace');
  let epoch = '0';
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    epoch = v.slice(0, colon);
    if (!/^[0-9]+$/.test(epoch)) fail('epoch is not a number');
    // dpkg stores the epoch in an int.
    if (compareDigits(epoch, '2147483647') > 0) fail('epoch is too big');
    rest = v.slice(colon + 1);
    if (rest === '') fail('nothing after the epoch');
  }
  let upstream = rest;
  let revision = '';
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (revision === '') fail('empty revision');
    if (!REVISION.test(revision)) fail('invalid character in revision');
  }
  if (upstream === '') fail('empty upstream version');
  if (!isDigit(upstream[0])) fail('upstream version does not start with a digit');
  if (!UPSTREAM.test(upstream)) fail('invalid character in upstream version');
  return { epoch, upstream, revision };
}

/** Sort weight of one non-digit character in verrevcmp. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAsciiLetter(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** The dpkg comparison of one upstream or revision string. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    const si = i;
    while (i < a.length && isDigit(a[i])) i++;
    const sj = j;
    while (j < b.length && isDigit(b[j])) j++;
    // Empty digit runs count as 0, so "1.0" equals "1.0-0".
    const r = compareDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (r !== 0) return r;
  }
  return 0;
}

export const dpkg: VersionScheme = {
  id: 'dpkg',
  isValid: validator(parseDpkg),
  compare(a, b) {
    const x = parseDpkg(a);
    const y = parseDpkg(b);
    return (
      compareDigits(x.epoch, y.epoch) ||
      sign(verrevcmp(x.upstream, y.upstream)) ||
      sign(verrevcmp(x.revision, y.revision))
    );
  },
};
