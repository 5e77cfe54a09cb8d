/**
 * `--format json`: the scan report as Bulwark's own document, schema `bulwark-scan/v1`, documented in
 * docs/scan-json.md and described by schemas/bulwark-scan-v1.schema.json.
 *
 * Every object is rebuilt field by field in a fixed order and every list is sorted, so the same report
 * always gives the same bytes. Packages and the embedded SBOM use the SBOM JSON format (and its
 * redaction: image env values never appear).
 */
import type { Finding, MatchDetail, ScanReport } from '../../match/types.js';
import { packageJson, sbomToJson, sortKeysDeep, type Json } from '../../sbom/format/json.js';
import { byString, compareFindings, isFixable, SEVERITY_ORDER, summarize } from './common.js';

function matchJson(m: MatchDetail): Json {
  return {
    matcher: m.matcher,
    recordId: m.recordId,
    searchedBy: { ecosystem: m.searchedBy.ecosystem, name: m.searchedBy.name, version: m.searchedBy.version },
    reason: m.reason,
  };
}

const compareMatches = (a: MatchDetail, b: MatchDetail): number =>
  byString(a.recordId, b.recordId) || byString(a.matcher, b.matcher) || byString(a.reason, b.reason);

function findingJson(f: Finding): Json {
  const s = f.suppressed;
  return {
    id: f.id,
    vulnerabilityId: f.vulnerabilityId,
    aliases: [...new Set(f.aliases)].sort(byString),
    severity: f.severity,
    severitySource: f.severitySource,
    cvss: f.cvss ? { version: f.cvss.version, vector: f.cvss.vector, score: f.cvss.score } : undefined,
    fixState: f.fixState,
    fixable: isFixable(f),
    fixedVersion: f.fixedVersion,
    // Sorted by the version scheme by the matcher: kept in its order.
    fixedVersions: [...f.fixedVersions],
    epss: f.epss ? { score: f.epss.score, percentile: f.epss.percentile, date: f.epss.date } : undefined,
    kev: f.kev
      ? { dateAdded: f.kev.dateAdded, ransomware: f.kev.ransomware, dueDate: f.kev.dueDate }
      : undefined,
    published: f.published,
    modified: f.modified,
    summary: f.summary,
    references: [...new Set(f.references)].sort(byString),
    risk: f.risk,
    package: packageJson(f.package),
    matches: [...f.matches].sort(compareMatches).map(matchJson),
    suppressed: s
      ? {
          kind: s.kind,
          source: s.source,
          reason: s.reason,
          status: s.status,
          justification: s.justification,
          expires: s.expires,
        }
      : undefined,
  };
}

/** The report as the plain JSON value `renderJson` prints. */
export function scanReportToJson(report: ScanReport): Json {
  const summary = summarize(report.findings);
  const db = report.database;
  return {
    schema: report.schema,
    tool: { name: report.tool.name, version: report.tool.version },
    summary: {
      total: summary.total,
      fixable: summary.fixable,
      kev: summary.kev,
      suppressed: summary.suppressed,
      bySeverity: Object.fromEntries(
        SEVERITY_ORDER.map((s) => [
          s,
          { total: summary.bySeverity[s].total, fixable: summary.bySeverity[s].fixable },
        ]),
      ),
    },
    database: db ? { path: db.path, builtAt: db.builtAt, schemaVersion: db.schemaVersion } : undefined,
    filters: sortKeysDeep(report.filters) ?? {},
    findings: [...report.findings].sort(compareFindings).map(findingJson),
    expiredSuppressions: [...report.expiredSuppressions]
      .sort((a, b) => byString(a.source, b.source) || byString(a.id, b.id))
      .map((e) => ({ source: e.source, id: e.id, expires: e.expires, reason: e.reason })),
    sbom: sbomToJson(report.sbom),
  };
}

/** Bulwark's JSON scan report: 2-space indent, trailing newline, byte-identical for identical input. */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(scanReportToJson(report), null, 2)}\n`;
}
