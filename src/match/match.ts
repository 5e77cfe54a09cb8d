/**
 * The match stage: every package of an SBOM against the vulnerability database. Each package goes to
 * its ecosystem's matcher (./matchers), which names the database queries; every record whose ranges
 * contain the installed version is a match. Matches of one package are merged by alias into one
 * finding per (vulnerability, package), then enriched (fix, severity, CVSS, EPSS, KEV) and ordered by
 * risk. No CPE matching.
 */
import { createHash } from 'node:crypto';
import { evaluate, type Evaluation } from '../db/affected.js';
import { ecosystemMatches } from '../db/ecosystem.js';
import type { VulnDatabase } from '../db/store.js';
import type { OsvRecord } from '../db/types.js';
import type { Package } from '../catalog/types.js';
import type { Sbom } from '../sbom/model.js';
import { fixState, isWontFix, nearestFix, sortFixed } from './fix.js';
import { matcherFor } from './matchers/index.js';
import { compareFindings } from './order.js';
import { markOsOwned, osOwners, ownedToSkip } from './os-owned.js';
import type { MatchContext, MatchQuery } from './matchers/types.js';
import { groupByAlias, sortIds } from './merge.js';
import { riskScore } from './risk.js';
import { decideSeverity, type SeveritySourceOption } from './severity.js';
import type { Finding, MatchDetail } from './types.js';

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
  /** Packages a matcher handled. */
  readonly packagesMatched: number;
  /** Packages of types with no advisory source (e.g. runtimes found by file). */
  readonly packagesSkipped: number;
  readonly queries: number;
  /** Language-package findings dropped because the owning OS package has the same vulnerability. */
  readonly ownedDuplicates: number;
  /** Language packages owned by an OS package, left to their OS package's advisories (not `includeOsOwned`). */
  readonly osOwnedSkipped: number;
}

export interface MatchResult {
  readonly findings: Finding[];
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
  let queries = 0;
  let matched = 0;
  let skipped = 0;
  const findings: Finding[] = [];
  const owners = osOwners(sbom);
  const leaveToOwner = options.includeOsOwned
    ? new Set<string>()
    : ownedToSkip(owners, (o) => (matcherFor(o.type)?.queries(o, ctx).length ?? 0) > 0);
  let osOwnedSkipped = 0;

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

  for (const pkg of sbom.packages) {
    if (leaveToOwner.has(pkg.id)) {
      osOwnedSkipped++;
      continue;
    }
    const matcher = matcherFor(pkg.type);
    if (!matcher) {
      skipped++;
      continue;
    }
    const qs = matcher.queries(pkg, ctx);
    if (qs.length === 0) {
      skipped++;
      continue;
    }
    matched++;
    const hits: Hit[] = [];
    const seen = new Set<string>();
    for (const q of qs) {
      for (const record of lookup(q)) {
        if (seen.has(record.id)) continue;
        const evaluation = evaluate(record, q);
        if (!evaluation.affected) continue;
        seen.add(record.id);
        hits.push({ record, evaluation, query: q, matcher: matcher.id });
      }
    }
    for (const group of groupByAlias(hits, (h) => h.record)) {
      findings.push(buildFinding(pkg, group.items, group.ids, db, byCve, options));
    }
  }

  const { kept, dropped } = dropOwnedDuplicates(findings, sbom);
  return {
    findings: markOsOwned(kept, owners).sort(compareFindings),
    stats: {
      packagesMatched: matched,
      packagesSkipped: skipped,
      queries,
      ownedDuplicates: dropped,
      osOwnedSkipped,
    },
  };
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
      reason: h.evaluation.reason,
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
