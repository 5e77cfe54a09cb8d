/**
 * Fix state. Fixed versions come from the range evaluation of every merged record; the one to upgrade
 * to is the NEAREST fixed version above the installed one (by the ecosystem's version scheme), so a
 * package on an older branch is pointed at its own branch's fix.
 *
 * `wont-fix` is reported only when no fix exists and a record says the vendor will not fix it: a
 * Debian `ecosystem_specific.urgency` of `unimportant` or `end-of-life`, or an explicit
 * `fix_state`/`status`/`state` of `wont-fix`, `will_not_fix`, `will not fix` or `ignored` in the
 * affected entry's `ecosystem_specific` or `database_specific`. (The changelog-derived Debian data in
 * the test corpus carries none of these: it knows only fixed versions.)
 */
import { ecosystemMatches, normalizePackageName } from '../db/ecosystem.js';
import type { OsvRecord } from '../db/types.js';
import { InvalidVersionError, getScheme, schemeForEcosystem } from '../version/index.js';
import type { FixState } from './types.js';
import type { MatchQuery } from './matchers/types.js';

const WONT_FIX_WORDS = new Set(['wont-fix', 'wont_fix', 'will_not_fix', 'will not fix', 'ignored']);
const DEBIAN_WONT_FIX_URGENCY = new Set(['unimportant', 'end-of-life']);

/** Only a typed parse error means "does not parse"; any other error is a bug and propagates. */
function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof InvalidVersionError) return undefined;
    throw err;
  }
}

/** Sort versions by the query's scheme (unparseable ones last, as given) and drop duplicates. */
export function sortFixed(query: MatchQuery, versions: Iterable<string>): string[] {
  const unique = [...new Set(versions)];
  const id = schemeForEcosystem(query.ecosystem);
  if (!id) return unique.sort();
  const scheme = getScheme(id);
  const valid = unique.filter((v) => safe(() => scheme.isValid(v)) === true);
  const invalid = unique.filter((v) => !valid.includes(v)).sort();
  return [...valid.sort((a, b) => scheme.compare(a, b)), ...invalid];
}

/** The smallest fixed version strictly above the installed version. */
export function nearestFix(query: MatchQuery, sortedFixed: readonly string[]): string | undefined {
  const id = schemeForEcosystem(query.ecosystem);
  if (!id) return undefined;
  const scheme = getScheme(id);
  return sortedFixed.find((v) => safe(() => scheme.compare(v, query.version)) === 1);
}

function saysWontFix(bag: Readonly<Record<string, unknown>> | undefined, debian: boolean): boolean {
  if (!bag) return false;
  for (const key of ['fix_state', 'status', 'state']) {
    const v = bag[key];
    if (typeof v === 'string' && WONT_FIX_WORDS.has(v.trim().toLowerCase())) return true;
  }
  const urgency = bag.urgency;
  return debian && typeof urgency === 'string' && DEBIAN_WONT_FIX_URGENCY.has(urgency.trim().toLowerCase());
}

/** Does any record say the vendor will not fix this package? */
export function isWontFix(query: MatchQuery, records: readonly OsvRecord[]): boolean {
  const wanted = normalizePackageName(query.ecosystem, query.name);
  const debian = /^(debian|ubuntu)(:|$)/i.test(query.ecosystem);
  for (const r of records) {
    for (const a of r.affected) {
      if (!a.package || !ecosystemMatches(query.ecosystem, a.package.ecosystem)) continue;
      if (query.accepts && !query.accepts(a)) continue;
      if (normalizePackageName(a.package.ecosystem, a.package.name) !== wanted) continue;
      if (saysWontFix(a.ecosystemSpecific, debian) || saysWontFix(a.databaseSpecific, debian)) return true;
    }
  }
  return false;
}

export function fixState(nearest: string | undefined, wontFix: boolean): FixState {
  return nearest ? 'fixed' : wontFix ? 'wont-fix' : 'not-fixed';
}
