/**
 * Maven versions, ordered like maven-artifact 3.9's ComparableVersion. A version is split into items
 * at `.`, `-` and digit/letter transitions; `-` (and a letter/digit transition) opens a nested list.
 * Numbers compare numerically; qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` <
 * `snapshot` < `""` = `ga` = `final` = `release` < `sp` < any other qualifier (alphabetically) <
 * numbers. `a1`/`b1`/`m1` abbreviate alpha/beta/milestone. Trailing zero-like items are dropped
 * (`1.0.0` = `1`), and a missing item is padded as "null" when comparing.
 */

import { checkInput, compareDigits, compareStrings, stripZeros, validator } from '../compare-util.js';
import { InvalidVersionError, type VersionScheme } from '../types.js';

type Item =
  { kind: 'int'; digits: string } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function intItem(digits: string): Item {
  return { kind: 'int', digits: stripZeros(digits) };
}

function stringItem(raw: string, followedByDigit: boolean): Item {
  let value = raw;
  if (followedByDigit && value.length === 1) {
    value = value === 'a' ? 'alpha' : value === 'b' ? 'beta' : value === 'm' ? 'milestone' : value;
  }
  return { kind: 'string', value: Object.hasOwn(ALIASES, value) ? ALIASES[value]! : value };
}

/**
 * Known qualifiers map to their index; unknown ones sort after all of them, alphabetically. The
 * result is compared as a string, like Maven does.
 */
function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'int':
      return item.digits === '';
    case 'string':
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

/** Drop trailing null items (0, "", empty list), looking through trailing sub-lists. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i]!;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMaven(input: string): Item {
  const raw = checkInput('maven', input);
  if (/[\s\p{Cc}]/u.test(raw)) throw new InvalidVersionError('maven', raw, 'whitespace or control character');
  const v = raw.toLowerCase();
  const root: Item[] = [];
  let list = root;
  // Lists to normalise once parsing is done, innermost last.
  const lists: Item[][] = [root];
  const openList = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    lists.push(sub);
  };
  const parseItem = (isDigit: boolean, text: string): Item =>
    isDigit ? intItem(text) : stringItem(text, false);
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? intItem('0') : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') openList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // Letters followed by digits: "rc1" → rc, [1]; after '.', like after '-' ("1.0.RC1" = "1.0-RC1").
        if (list.length > 0) openList();
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(intItem(v.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    // A trailing qualifier after '.' is treated like one after '-': 1.0.0.x sorts with 1.0.0-x.
    if (!isDigit && list.length > 0) openList();
    list.push(parseItem(isDigit, v.slice(start)));
  }
  for (let i = lists.length - 1; i >= 0; i--) normalize(lists[i]!);
  return { kind: 'list', items: root };
}

/** Compare an item with a missing one ("null"), e.g. the `.1` of `1.1` against `1`. */
function compareWithNull(item: Item): -1 | 0 | 1 {
  switch (item.kind) {
    case 'int':
      return item.digits === '' ? 0 : 1;
    case 'string':
      return compareStrings(comparableQualifier(item.value), RELEASE_INDEX);
    case 'list':
      for (const sub of item.items) {
        const r = compareWithNull(sub);
        if (r !== 0) return r;
      }
      return 0;
  }
}

function compareItems(a: Item, b: Item | undefined): -1 | 0 | 1 {
  if (b === undefined) return compareWithNull(a);
  switch (a.kind) {
    case 'int':
      return b.kind === 'int' ? compareDigits(a.digits || '0', b.digits || '0') : 1;
    case 'string':
      if (b.kind === 'string')
        return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
      return -1;
    case 'list': {
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const c = l === undefined ? (r === undefined ? 0 : -compareItems(r, undefined)) : compareItems(l, r);
        if (c !== 0) return c as -1 | 1;
      }
      return 0;
    }
  }
}

/** Canonical form, e.g. `1.0-RC1` → `1-rc-1`, useful in messages and tests. */
export function canonicalMaven(input: string): string {
  const render = (item: Item): string => {
    if (item.kind === 'int') return item.digits || '0';
    if (item.kind === 'string') return item.value;
    let s = '';
    for (const sub of item.items) {
      if (s !== '') s += sub.kind === 'list' ? '-' : '.';
      s += render(sub);
    }
    return s;
  };
  return render(parseMaven(input));
}

export const maven: VersionScheme = {
  id: 'maven',
  isValid: validator(parseMaven),
  compare: (a, b) => compareItems(parseMaven(a), parseMaven(b)),
};
