/**
 * Is a package version affected by an OSV record? Evaluates `ECOSYSTEM` and `SEMVER` ranges
 * (`introduced`, `fixed`, `last_affected`, `limit`; several ranges and several intervals per range)
 * and explicit `versions` lists with the ecosystem's version scheme (`SEMVER` ranges with the lenient
 * `semver-loose` scheme, whatever the ecosystem), and says why in one line.
 * `GIT` ranges are kept in the record but not evaluated (they need commit history). Versions of
 * different schemes are never compared. A version the scheme cannot parse — the installed one or a
 * range event's — makes the evaluation {@link Evaluation.indeterminate}, never a quiet "not affected".
 * Only the schemes' typed {@link InvalidVersionError} means "does not parse": any other error is a
 * bug and propagates.
 */
import {
  InvalidVersionError,
  getScheme,
  schemeForEcosystem,
  type VersionScheme,
  type VersionSchemeId,
} from '../version/index.js';
import { ecosystemMatches, normalizePackageName } from './ecosystem.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord, RangeType } from './types.js';

export interface PackageVersion {
  /** OSV ecosystem of the installed package, e.g. `Debian:12`, `Go`, `PyPI`. */
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  /** Narrows the affected entries considered beyond ecosystem and name (e.g. a Red Hat product stream). */
  readonly accepts?: (entry: OsvAffected) => boolean;
}

/** The interval that matched. */
export interface MatchedRange {
  readonly type: RangeType;
  readonly scheme: VersionSchemeId;
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
  readonly limit?: string;
}

export interface Evaluation {
  readonly affected: boolean;
  /** Human explanation, e.g. `introduced 0, fixed 0.7.0: 0.0.0-2021 is in [0, 0.7.0)`. */
  readonly reason: string;
  /** Fixed versions named by the record for this package, sorted by the scheme. */
  readonly fixedVersions: readonly string[];
  readonly range?: MatchedRange;
  /**
   * Set when the record could not be evaluated for this version (and did not match otherwise): the
   * installed version, or an event of one of its ranges, does not parse in the scheme.
   */
  readonly indeterminate?: { readonly kind: 'installed-version' | 'range-event'; readonly detail: string };
}

interface Interval {
  readonly introduced: string;
  readonly end?: OsvEvent;
}

const INFINITY = '∞';

/** Evaluate `record` for one installed package version. */
export function evaluate(record: OsvRecord, pkg: PackageVersion): Evaluation {
  const wanted = normalizePackageName(pkg.ecosystem, pkg.name);
  const entries = record.affected.filter(
    (a): a is OsvAffected & { package: NonNullable<OsvAffected['package']> } =>
      a.package !== undefined &&
      ecosystemMatches(pkg.ecosystem, a.package.ecosystem) &&
      normalizePackageName(a.package.ecosystem, a.package.name) === wanted &&
      (pkg.accepts === undefined || pkg.accepts(a)),
  );
  if (entries.length === 0) {
    return {
      affected: false,
      reason: `${record.id} has no entry for ${pkg.ecosystem}/${pkg.name}`,
      fixedVersions: [],
    };
  }

  const notes: string[] = [];
  const misses: string[] = [];
  const fixedBySchemes = new Map<VersionSchemeId, Set<string>>();
  let hit: { reason: string; range?: MatchedRange } | undefined;
  let unparseable: string | undefined;
  let badRange: string | undefined;

  for (const entry of entries) {
    const ecoScheme = schemeForEcosystem(entry.package.ecosystem);
    // Explicit versions: an exact string match first (no scheme needed), then scheme equality.
    if (!hit && entry.versions.length > 0) {
      const listed =
        entry.versions.includes(pkg.version) ||
        (ecoScheme !== undefined &&
          safeValid(getScheme(ecoScheme), pkg.version) &&
          entry.versions.some((v) => safeCompare(getScheme(ecoScheme), pkg.version, v) === 0));
      if (listed) hit = { reason: `${pkg.version} is listed in the affected versions` };
      else misses.push(`not among the ${entry.versions.length} listed version(s)`);
    }
    for (const range of entry.ranges) {
      if (range.type === 'GIT') {
        notes.push('GIT ranges are not evaluated');
        continue;
      }
      // OSV SEMVER ranges are read the way osv.dev reads them: lenient about a missing minor/patch and
      // leading zeros (Bitnami's `2021.03.04`), otherwise SemVer 2.0.0. See docs/version-schemes.md.
      const schemeId: VersionSchemeId | undefined = range.type === 'SEMVER' ? 'semver-loose' : ecoScheme;
      if (!schemeId) {
        notes.push(`no version scheme for ecosystem ${entry.package.ecosystem}`);
        continue;
      }
      const scheme = getScheme(schemeId);
      collectFixed(range, scheme, fixedBySchemes);
      if (hit) continue;
      if (!safeValid(scheme, pkg.version)) {
        unparseable ??= `unparseable: "${pkg.version}" is not a valid ${schemeId} version`;
        continue;
      }
      const intervals = toIntervals(range, scheme);
      if (typeof intervals === 'string') {
        notes.push(intervals);
        badRange ??= intervals;
        continue;
      }
      for (const iv of intervals) {
        if (contains(iv, pkg.version, scheme)) {
          hit = {
            reason: `${describe(iv)}: ${pkg.version} is in ${bracket(iv)}`,
            range: matched(range.type, schemeId, iv),
          };
          break;
        }
      }
      if (!hit && intervals.length > 0) misses.push(`not in ${intervals.map(bracket).join(' ∪ ')}`);
    }
  }

  const fixedVersions = [...fixedBySchemes.entries()].flatMap(([id, set]) =>
    sortVersions([...set], getScheme(id)),
  );
  if (hit)
    return hit.range
      ? { affected: true, reason: hit.reason, fixedVersions, range: hit.range }
      : { affected: true, reason: hit.reason, fixedVersions };
  if (unparseable)
    return {
      affected: false,
      reason: unparseable,
      fixedVersions,
      indeterminate: { kind: 'installed-version', detail: unparseable.replace(/^unparseable: /, '') },
    };
  if (badRange)
    return {
      affected: false,
      reason: badRange,
      fixedVersions,
      indeterminate: { kind: 'range-event', detail: badRange },
    };
  if (misses.length > 0) {
    return { affected: false, reason: `${pkg.version} is ${misses.join(' and ')}`, fixedVersions };
  }
  const why = [...new Set(notes)].join('; ');
  return {
    affected: false,
    reason: why || 'the record lists no ranges or versions for this package',
    fixedVersions,
  };
}

/** `isValid`, where only a typed parse error means "invalid"; anything else is a bug and propagates. */
function safeValid(scheme: VersionScheme, v: string): boolean {
  try {
    return scheme.isValid(v);
  } catch (err) {
    if (err instanceof InvalidVersionError) return false;
    throw err;
  }
}

function safeCompare(scheme: VersionScheme, a: string, b: string): number | undefined {
  try {
    return scheme.compare(a, b);
  } catch (err) {
    if (err instanceof InvalidVersionError) return undefined;
    throw err;
  }
}

/** Introduced "0" means "from the beginning" in every scheme. */
const isZero = (e: OsvEvent): boolean => e.kind === 'introduced' && e.version === '0';

/**
 * Sort a range's events by version (the OSV evaluation order) and pair them into intervals: an
 * `introduced` opens one, the next `fixed`/`last_affected`/`limit` closes it. Returns a note instead
 * when an event version does not parse in the scheme.
 */
function toIntervals(range: OsvRange, scheme: VersionScheme): Interval[] | string {
  for (const e of range.events) {
    if (!isZero(e) && !safeValid(scheme, e.version)) {
      return `range event ${e.kind} "${e.version}" is not a valid ${scheme.id} version`;
    }
  }
  // Array.prototype.sort is stable: equal versions keep the record's order (introduced before last_affected).
  const events = [...range.events].sort((a, b) => {
    if (isZero(a)) return isZero(b) ? 0 : -1;
    if (isZero(b)) return 1;
    return scheme.compare(a.version, b.version);
  });
  const intervals: Interval[] = [];
  let open: string | undefined;
  for (const e of events) {
    if (e.kind === 'introduced') {
      open ??= e.version;
    } else if (open !== undefined) {
      intervals.push({ introduced: open, end: e });
      open = undefined;
    }
  }
  if (open !== undefined) intervals.push({ introduced: open });
  return intervals;
}

function contains(iv: Interval, v: string, scheme: VersionScheme): boolean {
  if (iv.introduced !== '0' && scheme.compare(v, iv.introduced) < 0) return false;
  if (!iv.end) return true;
  const c = scheme.compare(v, iv.end.version);
  return iv.end.kind === 'last_affected' ? c <= 0 : c < 0;
}

function describe(iv: Interval): string {
  return iv.end
    ? `introduced ${iv.introduced}, ${iv.end.kind} ${iv.end.version}`
    : `introduced ${iv.introduced}, no fix`;
}

function bracket(iv: Interval): string {
  if (!iv.end) return `[${iv.introduced}, ${INFINITY})`;
  return `[${iv.introduced}, ${iv.end.version}${iv.end.kind === 'last_affected' ? ']' : ')'}`;
}

function matched(type: RangeType, scheme: VersionSchemeId, iv: Interval): MatchedRange {
  const base = { type, scheme, introduced: iv.introduced };
  switch (iv.end?.kind) {
    case 'fixed':
      return { ...base, fixed: iv.end.version };
    case 'last_affected':
      return { ...base, lastAffected: iv.end.version };
    case 'limit':
      return { ...base, limit: iv.end.version };
    default:
      return base;
  }
}

function collectFixed(range: OsvRange, scheme: VersionScheme, into: Map<VersionSchemeId, Set<string>>): void {
  for (const e of range.events) {
    if (e.kind !== 'fixed') continue;
    let set = into.get(scheme.id);
    if (!set) into.set(scheme.id, (set = new Set()));
    set.add(e.version);
  }
}

/** Sort by the scheme; versions that do not parse go last, in input order. */
function sortVersions(versions: string[], scheme: VersionScheme): string[] {
  const valid = versions.filter((v) => safeValid(scheme, v));
  const invalid = versions.filter((v) => !safeValid(scheme, v));
  return [...valid.sort((a, b) => scheme.compare(a, b)), ...invalid];
}
