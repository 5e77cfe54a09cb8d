/**
 * Alpine / Wolfi apk versions: `digits{.digits}[letter]{_suffix[N]}[~hash][-rN]`, ordered like
 * apk-tools. Suffixes `_alpha < _beta < _pre < _rc` are pre-releases (before the bare version);
 * `_cvs < _svn < _git < _hg < _p` come after it. Version parts after the first that start with `0`
 * compare as strings (so `1.01 < 1.1`), the rest numerically.
 */

import { checkInput, compareDigits, compareStrings, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

/** Token kinds, in the order apk-tools uses to decide which of two diverging versions is older. */
const Kind = {
  Initial: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNumber: 4,
  CommitHash: 5,
  Revision: 6,
  End: 7,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Suffix ranks; ranks below {@link SUFFIX_NONE} mark pre-releases. */
const SUFFIXES: Readonly<Record<string, number>> = {
  alpha: 0,
  beta: 1,
  pre: 2,
  rc: 3,
  cvs: 5,
  svn: 6,
  git: 7,
  hg: 8,
  p: 9,
};
const SUFFIX_NONE = 4;

interface Token {
  kind: Kind;
  text: string;
  rank: number;
}

export function parseApk(input: string): Token[] {
  const v = checkInput('apk', input);
  const fail = (at: number): never => {
    throw new InvalidVersionError('apk', v, `unexpected "${v.slice(at, at + 8)}" at offset ${at}`);
  };
  const digits = (from: number): number => {
    let k = from;
    while (k < v.length && v[k]! >= '0' && v[k]! <= '9') k++;
    return k;
  };
  let i = digits(0);
  if (i === 0) fail(0);
  const tokens: Token[] = [{ kind: Kind.Initial, text: v.slice(0, i), rank: 0 }];
  let last: Kind = Kind.Initial;
  const push = (kind: Kind, text: string, rank = 0): void => {
    tokens.push({ kind, text, rank });
    last = kind;
  };
  while (i < v.length) {
    const c = v[i]!;
    if (c >= 'a' && c <= 'z') {
      if (last > Kind.Digit) fail(i);
      push(Kind.Letter, c);
      i++;
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      // A digit directly after a suffix name is its number; '.' starts another version part.
      if (c === '.') {
        if (last > Kind.Digit) fail(i);
        i++;
      }
      let kind: Kind;
      if (last === Kind.Initial || last === Kind.Digit) kind = Kind.Digit;
      else if (last === Kind.Suffix) kind = Kind.SuffixNumber;
      else return fail(i);
      const end = digits(i);
      if (end === i) fail(i);
      push(kind, v.slice(i, end));
      i = end;
    } else if (c === '_') {
      if (last > Kind.SuffixNumber) fail(i);
      let end = i + 1;
      while (end < v.length && v[end]! >= 'a' && v[end]! <= 'z') end++;
      const name = v.slice(i + 1, end);
      const rank = Object.hasOwn(SUFFIXES, name) ? SUFFIXES[name] : undefined;
      if (rank === undefined) fail(i);
      push(Kind.Suffix, name, rank);
      i = end;
    } else if (c === '~') {
      if (last >= Kind.CommitHash) fail(i);
      let end = i + 1;
      while (end < v.length && /[0-9a-fA-F]/.test(v[end]!)) end++;
      if (end === i + 1) fail(i);
      push(Kind.CommitHash, v.slice(i + 1, end));
      i = end;
    } else if (c === '-') {
      if (last >= Kind.Revision || v[i + 1] !== 'r') fail(i);
      const end = digits(i + 2);
      if (end === i + 2) fail(i);
      push(Kind.Revision, v.slice(i + 2, end));
      i = end;
    } else {
      fail(i);
    }
  }
  tokens.push({ kind: Kind.End, text: '', rank: 0 });
  return tokens;
}

function compareToken(a: Token, b: Token): -1 | 0 | 1 {
  switch (a.kind) {
    case Kind.Digit:
      // Parts with a leading zero compare as strings, as apk-tools (and Gentoo) do.
      if (a.text[0] === '0' || b.text[0] === '0') return compareStrings(a.text, b.text);
      return compareDigits(a.text, b.text);
    case Kind.Initial:
    case Kind.SuffixNumber:
    case Kind.Revision:
      return compareDigits(a.text, b.text);
    case Kind.Suffix:
      return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0;
    default:
      return compareStrings(a.text, b.text);
  }
}

export const apk: VersionScheme = {
  id: 'apk',
  isValid: validator(parseApk),
  compare(a, b) {
    const ta = parseApk(a);
    const tb = parseApk(b);
    let k = 0;
    for (; ; k++) {
      const x = ta[k]!;
      const y = tb[k]!;
      if (x.kind !== y.kind || x.kind === Kind.End) break;
      const r = compareToken(x, y);
      if (r !== 0) return r;
    }
    const x = ta[k]!;
    const y = tb[k]!;
    if (x.kind === y.kind) return 0;
    // The versions agree up to here; the longer one is newer unless it continues with a pre-release suffix.
    if (x.kind === Kind.Suffix && x.rank < SUFFIX_NONE) return -1;
    if (y.kind === Kind.Suffix && y.rank < SUFFIX_NONE) return 1;
    return x.kind > y.kind ? -1 : 1;
  },
};
