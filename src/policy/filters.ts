/**
 * Finding filters (`--severity`, `--only-fixed`, …) and the `--fail-on` gate. Filters decide what the
 * report shows; `--fail-on` counts only findings that are shown and not suppressed.
 */
import { RATINGS } from '../db/types.js';
import type { PackageType } from '../model/package.js';
import { PACKAGE_TYPES } from '../model/package.js';
import type { Finding, Severity } from '../match/types.js';
import { UsageError } from '../util/errors.js';

export interface FindingFilters {
  /** Severities to keep; undefined keeps all. */
  readonly severities?: readonly Severity[];
  readonly onlyFixed?: boolean;
  readonly onlyUnfixed?: boolean;
  readonly packageTypes?: readonly string[];
  readonly onlyKev?: boolean;
  /** Minimum EPSS probability, 0–1. */
  readonly minEpss?: number;
  /** Package names (exact, case-sensitive) to keep. */
  readonly packages?: readonly string[];
}

const OS_TYPES: readonly PackageType[] = ['deb', 'apk', 'rpm'];
const KNOWN_TYPES: readonly string[] = [...PACKAGE_TYPES, 'os', 'library'];

function isSeverity(s: string): s is Severity {
  return (RATINGS as readonly string[]).includes(s);
}

/** Parse `--severity`: one value means "this or higher", a comma list means exactly those. */
export function parseSeverityOption(values: readonly string[]): Severity[] {
  const words = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  for (const w of words)
    if (!isSeverity(w))
      throw new UsageError(`--severity: unknown severity "${w}" (use ${RATINGS.join(', ')})`);
  if (words.length === 1) return RATINGS.slice(RATINGS.indexOf(words[0] as Severity));
  return [...new Set(words as Severity[])];
}

/** Parse `--fail-on`: a single severity. */
export function parseFailOn(value: string): Severity {
  const w = value.trim().toLowerCase();
  if (!isSeverity(w))
    throw new UsageError(`--fail-on: unknown severity "${value}" (use ${RATINGS.join(', ')})`);
  return w;
}

export function parsePackageTypes(values: readonly string[]): string[] {
  const types = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  for (const t of types)
    if (!KNOWN_TYPES.includes(t))
      throw new UsageError(`--only-package-type: unknown type "${t}" (use ${KNOWN_TYPES.join(', ')})`);
  return types;
}

export function parseMinEpss(value: string): number {
  const text = value.trim();
  const pct = text.endsWith('%');
  const n = Number(pct ? text.slice(0, -1) : text);
  const p = pct ? n / 100 : n;
  if (!Number.isFinite(p) || p < 0 || p > 1)
    throw new UsageError(`--min-epss: "${value}" is not a probability (0–1, or a percentage like 5%)`);
  return p;
}

function typeMatches(types: readonly string[], t: PackageType): boolean {
  return (
    types.includes(t) ||
    (types.includes('os') && OS_TYPES.includes(t)) ||
    (types.includes('library') && !OS_TYPES.includes(t))
  );
}

/**
 * Does a package pass the package filters (`--only-package-type`, `--package`)? Used for the
 * not-evaluated list, which the finding filters about severity or fixes do not concern.
 */
export function packageSelected(
  p: Pick<Finding['package'], 'type' | 'name' | 'sourceName'>,
  f: FindingFilters,
): boolean {
  return (
    (!f.packageTypes || typeMatches(f.packageTypes, p.type)) &&
    (!f.packages ||
      f.packages.includes(p.name) ||
      (p.sourceName !== undefined && f.packages.includes(p.sourceName)))
  );
}

/** Keep the findings the filters select (order preserved). */
export function applyFilters(findings: readonly Finding[], f: FindingFilters): Finding[] {
  if (f.onlyFixed && f.onlyUnfixed)
    throw new UsageError('--only-fixed and --only-unfixed exclude each other');
  return findings.filter(
    (x) =>
      (!f.severities || f.severities.includes(x.severity)) &&
      (!f.onlyFixed || x.fixState === 'fixed') &&
      (!f.onlyUnfixed || x.fixState !== 'fixed') &&
      (!f.packageTypes || typeMatches(f.packageTypes, x.package.type)) &&
      (!f.onlyKev || x.kev !== undefined) &&
      (f.minEpss === undefined || (x.epss?.score ?? 0) >= f.minEpss) &&
      (!f.packages ||
        f.packages.includes(x.package.name) ||
        (x.package.sourceName !== undefined && f.packages.includes(x.package.sourceName))),
  );
}

/** Findings at or above `threshold` that are shown and not suppressed: these fail the build. */
export function failingFindings(findings: readonly Finding[], threshold: Severity): Finding[] {
  const min = RATINGS.indexOf(threshold);
  return findings.filter((x) => !x.suppressed && RATINGS.indexOf(x.severity) >= min);
}
