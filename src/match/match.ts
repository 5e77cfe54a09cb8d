/**
 * The match stage: every package of an SBOM against the vulnerability database. Each package goes to
 * its ecosystem's matcher (./matchers), which names the database queries; every record whose ranges
 * contain the installed version is a match. Matches of one package are merged by alias into one
 * finding per (vulnerability, package), then enriched (fix, severity, CVSS, EPSS, KEV) and ordered by
 * risk. No CPE matching. A package that cannot be evaluated (no advisory ecosystem for its OS, no
 * advisory data, a version that does not parse) is returned as {@link NotEvaluated}, with why.
 */
import { createHash } from 'node:crypto';
import { evaluate, type Evaluation } from '../db/affected.js';
import { ecosystemMatches } from '../db/ecosystem.js';
import type { VulnDatabase } from '../db/store.js';
import type { OsvRecord } from '../db/types.js';
import type { Package } from '../model/package.js';
import type { Sbom } from '../model/sbom.js';
import { fixState, isWontFix, nearestFix, sortFixed } from './fix.js';
import { matcherFor } from './matchers/index.js';
import { getScheme, schemeForEcosystem } from '../version/index.js';
import { compareFindings } from './order.js';
import { markOsOwned, osOwners, ownedToSkip } from './os-owned.js';
import type { MatchContext, Matcher, MatchQuery, Skip } from './matchers/types.js';
import { groupByAlias, sortIds } from './merge.js';
import { riskScore } from './risk.js';
import { decideSeverity, type SeveritySourceOption } from './severity.js';
import type { Finding, MatchDetail, NotEvaluated } from './types.js';

export { compareFindings } from './order.js';

export interface MatchOptions {
  readonly severitySource?: SeveritySourceOption;
  /**
   * Also match language packages whose files an OS package owns by their own (upstream) version; their
   * findings carry `ownedBy`. Default false: they are matched through their OS package only.
   */
  readonly includeOsOwned?: boolean;
}

export interface MatchStats {
  /** Packages evaluated against the advisories. */
  readonly packagesMatched: number;
  /** Packages not (fully) evaluated: the length of {@link MatchResult.notEvaluated}. */
  readonly packagesSkipped: number;
  readonly queries: number;
  /** Language-package findings dropped because the owning OS package has the same vulnerability. */
  readonly ownedDuplicates: number;
  /** Language packages owned by an OS package, left to their OS package's advisories (not `includeOsOwned`). */
  readonly osOwnedSkipped: number;
}

export interface MatchResult {
  readonly findings: Finding[];
  /** Packages that were not (fully) evaluated, and why; sorted by package name, version, id. */
  readonly notEvaluated: NotEvaluated[];
  readonly stats: MatchStats;
}

interface Hit {
  readonly record: OsvRecord;
  readonly evaluation: Evaluation;
  readonly query: MatchQuery;
  readonly matcher: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const MAX_SUMMARY = 240;

/** Match every package of `sbom`; the result is sorted by {@link compareFindings}. */
export function matchSbom(sbom: Sbom, db: VulnDatabase, options: MatchOptions = {}): MatchResult {
  const ctx: MatchContext = sbom.distro ? { distro: sbom.distro } : {};
  const lookups = new Map<string, OsvRecord[]>();
  const related = new Map<string, OsvRecord[]>();
  const hasData = new Map<string, boolean>();
  let queries = 0;
  let matched = 0;
  const findings: Finding[] = [];
  const notEvaluated: NotEvaluated[] = [];

  const lookup = (q: MatchQuery): OsvRecord[] => {
    const key = `${q.ecosystem}\u0000${q.name}`;
    let recs = lookups.get(key);
    if (!recs) {
      queries++;
      recs = db.lookup(q.ecosystem, q.name).filter((r) => !r.withdrawn);
      lookups.set(key, recs);
    }
    return recs;
  };
  const withData = (ecosystem: string): boolean => {
    let has = hasData.get(ecosystem);
    if (has === undefined) hasData.set(ecosystem, (has = db.hasEcosystem(ecosystem)));
    return has;
  };
  const byCve = (cve: string): OsvRecord[] => {
    let recs = related.get(cve);
    if (!recs) {
      try {
        recs = db.byId(cve);
      } catch {
        // Related records only refine the severity; a failing alias lookup must not fail the scan.
        recs = [];
      }
      related.set(cve, recs);
    }
    return recs;
  };

  // An OS package whose distro has an advisory ecosystem answers for the language packages it owns
  // (see ./os-owned.ts); without data for it in the database the owner itself is reported not evaluated.
  const owners = osOwners(sbom);
  const leaveToOwner = options.includeOsOwned
    ? new Set<string>()
    : ownedToSkip(owners, (o) => !('skip' in planPackage(o, ctx, () => true)));
  let osOwnedSkipped = 0;
  const ownedRuntimes = runtimesOwnedByOsPackages(sbom);
  for (const pkg of sbom.packages) {
    if (leaveToOwner.has(pkg.id)) {
      osOwnedSkipped++;
      continue;
    }
    if (ownedRuntimes.has(pkg.id)) {
      // Installed by the OS package manager: evaluated through that package and its distro's data.
      matched++;
      continue;
    }
    const planned = planPackage(pkg, ctx, withData);
    if ('skip' in planned) {
      notEvaluated.push(notEvaluatedOf(pkg, planned.skip));
      continue;
    }
    const { matcher, queries: qs } = planned;
    const hits: Hit[] = [];
    const seen = new Set<string>();
    const problems = new Problems();
    for (const q of qs) {
      for (const record of lookup(q)) {
        if (seen.has(record.id)) continue;
        const evaluation = evaluate(record, q);
        if (!evaluation.affected) {
          if (evaluation.indeterminate) problems.add(record.id, evaluation.indeterminate);
          continue;
        }
        seen.add(record.id);
        hits.push({ record, evaluation, query: q, matcher: matcher.id });
      }
    }
    // Advisories that could not be evaluated make the package not (fully) evaluated; its findings stand.
    const problem = problems.result(pkg, seen);
    if (problem) notEvaluated.push(problem);
    else matched++;
    for (const group of groupByAlias(hits, (h) => h.record)) {
      findings.push(buildFinding(pkg, group.items, group.ids, db, byCve, options));
    }
  }

  const { kept, dropped } = dropOwnedDuplicates(findings, sbom);
  return {
    findings: markOsOwned(kept, owners).sort(compareFindings),
    notEvaluated: notEvaluated.sort(compareNotEvaluated),
    stats: {
      packagesMatched: matched,
      packagesSkipped: notEvaluated.length,
      queries,
      ownedDuplicates: dropped,
      osOwnedSkipped,
    },
  };
}

/**
 * Runtimes found by file (`binary` packages) whose files belong to an OS package (Debian's
 * python3.11-minimal owns /usr/bin/python3.11): the OS package carries the distribution's fixes and
 * is matched against its advisories, so the runtime itself is not matched again.
 */
function runtimesOwnedByOsPackages(sbom: Sbom): Set<string> {
  const binaries = new Set(sbom.packages.filter((p) => p.type === 'binary').map((p) => p.id));
  const owned = new Set<string>();
  if (binaries.size === 0) return owned;
  for (const r of sbom.relationships)
    if (r.type === 'ownership-by-file-overlap' && binaries.has(r.to)) owned.add(r.to);
  return owned;
}

/**
 * The matcher and the queries to run for one package, or why it cannot be evaluated: the matcher's
 * own skip, no advisory data in the database for any of its ecosystems, or an installed version that
 * does not parse in the ecosystem's version scheme.
 */
function planPackage(
  pkg: Package,
  ctx: MatchContext,
  withData: (ecosystem: string) => boolean,
): { matcher: Matcher; queries: readonly MatchQuery[] } | { skip: Skip } {
  const matcher = matcherFor(pkg.type);
  if (!matcher) {
    const text = `no matcher for ${pkg.type} packages`;
    return { skip: { reason: 'no-advisory-source', detail: text, group: text } };
  }
  const plan = matcher.plan(pkg, ctx);
  if ('skip' in plan) return plan;
  const queries = plan.queries.filter((q) => withData(q.ecosystem));
  if (queries.length === 0) {
    const text = `no advisory data for ${plan.queries[0]?.ecosystem ?? pkg.type} in the database`;
    return { skip: { reason: 'no-advisory-data', detail: text, group: text } };
  }
  for (const q of queries) {
    const id = schemeForEcosystem(q.ecosystem);
    // The scheme's isValid lets only its typed parse error mean "invalid"; a bug propagates.
    if (id && !getScheme(id).isValid(q.version))
      return {
        skip: {
          reason: 'unparseable-version',
          detail: `installed version "${q.version}" is not a valid ${id} version`,
          group: 'unparseable installed version',
        },
      };
  }
  return { matcher, queries };
}

function notEvaluatedOf(pkg: Package, s: Skip): NotEvaluated {
  return { package: pkg, reason: s.reason, detail: s.detail, group: s.group ?? s.detail };
}

/** Advisories of one package that could not be evaluated, by kind of problem. */
class Problems {
  private readonly byKind = new Map<
    'installed-version' | 'range-event',
    { detail: string; ids: Set<string> }
  >();

  add(recordId: string, p: NonNullable<Evaluation['indeterminate']>): void {
    let entry = this.byKind.get(p.kind);
    if (!entry) this.byKind.set(p.kind, (entry = { detail: p.detail, ids: new Set() }));
    entry.ids.add(recordId);
  }

  /** The package's not-evaluated entry, counting only advisories that did not match anyway. */
  result(pkg: Package, matchedIds: ReadonlySet<string>): NotEvaluated | undefined {
    for (const kind of ['installed-version', 'range-event'] as const) {
      const entry = this.byKind.get(kind);
      if (!entry) continue;
      const ids = [...entry.ids].filter((id) => !matchedIds.has(id)).sort(cmp);
      if (ids.length === 0) continue;
      const more =
        ids.length > 1 ? ` (and ${ids.length - 1} more advisor${ids.length === 2 ? 'y' : 'ies'})` : '';
      return kind === 'installed-version'
        ? {
            package: pkg,
            reason: 'unparseable-version',
            detail: `${entry.detail}: advisory ${ids[0]!}${more} not evaluated`,
            group: 'unparseable installed version',
            records: ids,
          }
        : {
            package: pkg,
            reason: 'unparseable-range',
            detail: `advisory ${ids[0]!}${more}: ${entry.detail}`,
            group: 'unparseable range event in an advisory',
            records: ids,
          };
    }
    return undefined;
  }
}

function compareNotEvaluated(a: NotEvaluated, b: NotEvaluated): number {
  return (
    cmp(a.package.name, b.package.name) ||
    cmp(a.package.version, b.package.version) ||
    cmp(a.package.id, b.package.id)
  );
}

function buildFinding(
  pkg: Package,
  hits: readonly Hit[],
  ids: ReadonlySet<string>,
  db: VulnDatabase,
  byCve: (cve: string) => OsvRecord[],
  options: MatchOptions,
): Finding {
  const query = hits[0]!.query;
  const records = hits.map((h) => h.record);
  const aliases = sortIds(ids);
  const cves = aliases.filter((id) => id.startsWith('CVE-'));
  const recordIds = records.map((r) => r.id).sort(cmp);
  const vulnerabilityId = cves[0] ?? recordIds[0]!;

  const fixedVersions = sortFixed(
    query,
    hits.flatMap((h) => h.evaluation.fixedVersions),
  );
  const fixedVersion = nearestFix(query, fixedVersions);
  const state = fixState(fixedVersion, isWontFix(query, records));

  const own = records.filter((r) =>
    r.affected.some((a) => a.package && ecosystemMatches(query.ecosystem, a.package.ecosystem)),
  );
  const other = records.filter((r) => !own.includes(r));
  const mergedIds = new Set(recordIds);
  const sev = decideSeverity(
    own,
    other,
    () => cves.flatMap((c) => byCve(c)).filter((r) => !mergedIds.has(r.id) && !r.withdrawn),
    options.severitySource ?? 'auto',
  );

  let epss: Finding['epss'];
  let kev: Finding['kev'];
  for (const cve of cves) {
    const e = db.epss(cve);
    if (e && (!epss || e.score > epss.score))
      epss = { score: e.score, percentile: e.percentile, date: e.date };
    const k = db.kev(cve);
    if (k && !kev)
      kev = {
        dateAdded: k.dateAdded,
        ransomware: k.ransomware,
        ...(k.dueDate ? { dueDate: k.dueDate } : {}),
      };
  }

  const published = records
    .map((r) => r.published)
    .filter((p): p is string => !!p)
    .sort(cmp)[0];
  const modified = records
    .map((r) => r.modified)
    .filter(Boolean)
    .sort(cmp)
    .at(-1);
  const summary = pickSummary(own, other);
  const references = [...new Set(records.flatMap((r) => r.references.map((x) => x.url)))].sort(cmp);

  const matches: MatchDetail[] = hits
    .map((h) => ({
      matcher: h.matcher,
      recordId: h.record.id,
      searchedBy: { ecosystem: h.query.ecosystem, name: h.query.name, version: h.query.version },
      reason: h.query.scope ? `${h.evaluation.reason} (${h.query.scope})` : h.evaluation.reason,
    }))
    .sort((a, b) => cmp(a.recordId, b.recordId));

  const risk = riskScore({
    kev: kev !== undefined,
    ...(epss ? { epss: epss.score } : {}),
    severity: sev.severity,
    ...(sev.cvss ? { cvss: sev.cvss } : {}),
    fixable: state === 'fixed',
  });
  return {
    id: createHash('sha256').update(`${vulnerabilityId}\u0000${pkg.id}`).digest('hex').slice(0, 16),
    vulnerabilityId,
    aliases,
    package: pkg,
    severity: sev.severity,
    severitySource: sev.source,
    ...(sev.cvss ? { cvss: sev.cvss } : {}),
    fixState: state,
    ...(fixedVersion ? { fixedVersion } : {}),
    fixedVersions,
    ...(epss ? { epss } : {}),
    ...(kev ? { kev } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(summary ? { summary } : {}),
    references,
    matches,
    risk,
  };
}

function pickSummary(own: readonly OsvRecord[], other: readonly OsvRecord[]): string | undefined {
  for (const list of [own, other]) {
    const r = [...list].sort((a, b) => cmp(a.id, b.id)).find((x) => x.summary?.trim());
    if (r) return r.summary!.trim();
  }
  for (const list of [own, other]) {
    const r = [...list].sort((a, b) => cmp(a.id, b.id)).find((x) => x.details?.trim());
    if (r) {
      const first = r
        .details!.trim()
        .split(/\n\s*\n/)[0]!
        .replace(/\s+/g, ' ');
      return first.length > MAX_SUMMARY ? `${first.slice(0, MAX_SUMMARY - 1)}…` : first;
    }
  }
  return undefined;
}

/**
 * A language package inside an OS package's files (e.g. a Python module shipped by a .deb) is one
 * piece of software: when the owner has a finding for the same vulnerability (any shared id), the
 * language package's finding is dropped. Otherwise it stays: the language data may know more.
 */
function dropOwnedDuplicates(findings: Finding[], sbom: Sbom): { kept: Finding[]; dropped: number } {
  const owners = new Map<string, string[]>();
  for (const r of sbom.relationships) {
    if (r.type !== 'ownership-by-file-overlap') continue;
    const list = owners.get(r.to) ?? [];
    list.push(r.from);
    owners.set(r.to, list);
  }
  if (owners.size === 0) return { kept: findings, dropped: 0 };
  const idsByPackage = new Map<string, Set<string>>();
  for (const f of findings) {
    let set = idsByPackage.get(f.package.id);
    if (!set) idsByPackage.set(f.package.id, (set = new Set()));
    for (const id of f.aliases) set.add(id);
  }
  const kept = findings.filter((f) => {
    const from = owners.get(f.package.id);
    if (!from) return true;
    return !from.some((o) => {
      const ownerIds = idsByPackage.get(o);
      return ownerIds !== undefined && f.aliases.some((id) => ownerIds.has(id));
    });
  });
  return { kept, dropped: findings.length - kept.length };
}
