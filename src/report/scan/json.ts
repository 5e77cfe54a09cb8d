/**
 * `--format json`: the scan report as Bulwark's own document, schema `bulwark-scan/v1`, documented in
 * docs/scan-json.md and described by schemas/bulwark-scan-v1.schema.json.
 *
 * Every object is rebuilt field by field in a fixed order and every list is sorted, so the same report
 * always gives the same bytes. Packages and the embedded SBOM use the SBOM JSON format (and its
 * redaction: image env values never appear).
 */
import type { Finding, MatchDetail, NotEvaluated } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import type { BaseImage } from '../../model/base-image.js';
import { baseImageJson, packageJson, sbomToJson, sortKeysDeep, type Json } from '../../sbom/format/json.js';
import { findingOrigin, originSplit, splittingBase } from './base-split.js';
import {
  byString,
  compareFindings,
  isFixable,
  SEVERITY_ORDER,
  sortedNotEvaluated,
  summarize,
  type ScanSummary,
} from './common.js';
import type { Misconfiguration } from '../../extra-scanners/types.js';
import { sortFindings } from '../../secrets/report.js';
import type { LayerInfo, RedactedFinding } from '../../secrets/types.js';

function layerInfoJson(l: LayerInfo | undefined): Json | undefined {
  return l ? { index: l.index, diffId: l.diffId, createdBy: l.createdBy } : undefined;
}

/** A secret finding: where, which rule, and the redacted secret (preview, length, fingerprint) only. */
function secretJson(f: RedactedFinding): Json {
  return {
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    secret: { preview: f.secret.preview, length: f.secret.length, fingerprint: f.secret.fingerprint },
    layer: layerInfoJson(f.layer),
    status: f.status,
    removedIn: layerInfoJson(f.removedIn),
  };
}

function misconfigurationJson(m: Misconfiguration): Json {
  const common = { kind: m.kind, ruleId: m.ruleId, title: m.title, severity: m.severity, message: m.message };
  if (m.kind === 'dockerfile')
    return {
      ...common,
      path: m.path,
      line: m.range.start.line,
      column: m.range.start.column,
      endLine: m.range.end.line,
      endColumn: m.range.end.column,
      fingerprint: m.fingerprint,
    };
  const l = m.location;
  return {
    ...common,
    location:
      l.kind === 'config'
        ? { kind: l.kind, field: l.field, key: l.key }
        : l.kind === 'history'
          ? { kind: l.kind, index: l.index }
          : { kind: l.kind, path: l.path },
  };
}

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

function findingJson(f: Finding, base: BaseImage | undefined): Json {
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
    // `base`: the package came from the base image's layers; `added`: from the image's own.
    origin: findingOrigin(f, base),
    ownedBy: f.ownedBy
      ? { name: f.ownedBy.name, version: f.ownedBy.version, type: f.ownedBy.type, purl: f.ownedBy.purl }
      : undefined,
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

/** A package that was not evaluated: which one (by SBOM id and PURL), the reason code and why. */
function notEvaluatedJson(n: NotEvaluated): Json {
  const p = n.package;
  return {
    package: { id: p.id, name: p.name, version: p.version, type: p.type, purl: p.purl },
    reason: n.reason,
    detail: n.detail,
    group: n.group,
    records: n.records ? [...n.records].sort(byString) : undefined,
  };
}

/** The report as the plain JSON value `renderJson` prints. */
export function scanReportToJson(report: ScanReport): Json {
  const summary = summarize(report.findings);
  const db = report.database;
  const base = splittingBase(report);
  const split = originSplit(report);
  const countsJson = (s: ScanSummary): Json => ({
    total: s.total,
    fixable: s.fixable,
    kev: s.kev,
    bySeverity: Object.fromEntries(SEVERITY_ORDER.map((sev) => [sev, s.bySeverity[sev].total])),
  });
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
      // Present exactly when a base image with its layers was detected.
      byOrigin: split ? { base: countsJson(split.base), added: countsJson(split.added) } : undefined,
    },
    // Present exactly when vulnerability matching ran.
    coverage: report.coverage
      ? {
          packages: report.coverage.packages,
          evaluated: report.coverage.evaluated,
          notEvaluated: report.coverage.notEvaluated,
          groups: report.coverage.groups.map((g) => ({
            reason: g.reason,
            group: g.group,
            packages: g.packages,
          })),
        }
      : undefined,
    database: db ? { path: db.path, builtAt: db.builtAt, schemaVersion: db.schemaVersion } : undefined,
    filters: sortKeysDeep(report.filters) ?? {},
    osOwned: report.osOwned
      ? { packages: report.osOwned.packages, included: report.osOwned.included }
      : undefined,
    baseImage: baseImageJson(report.baseImage),
    findings: [...report.findings].sort(compareFindings).map((f) => findingJson(f, base)),
    notEvaluated: report.notEvaluated ? sortedNotEvaluated(report).map(notEvaluatedJson) : undefined,
    expiredSuppressions: [...report.expiredSuppressions]
      .sort((a, b) => byString(a.source, b.source) || byString(a.id, b.id))
      .map((e) => ({ source: e.source, id: e.id, expires: e.expires, reason: e.reason })),
    // Present only when the secret / config scanner ran (`--scanners`); in the scanners' own order.
    secrets: report.secrets ? sortFindings(report.secrets).map(secretJson) : undefined,
    misconfigurations: report.misconfigurations
      ? report.misconfigurations.map(misconfigurationJson)
      : undefined,
    sbom: sbomToJson(report.sbom),
  };
}

/** Bulwark's JSON scan report: 2-space indent, trailing newline, byte-identical for identical input. */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(scanReportToJson(report), null, 2)}\n`;
}
