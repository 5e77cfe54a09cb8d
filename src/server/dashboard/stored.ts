/**
 * A stored scan read back as the pipeline's own types: the SBOM through the SBOM reader (which
 * redacts image metadata) and the scan-JSON findings re-attached to those packages, so the existing
 * report renderers, SBOM formats and `compareReports` work on what the register keeps.
 */
import type { Finding, MatchDetail } from '../../match/types.js';
import type { Package } from '../../model/package.js';
import type { Sbom } from '../../model/sbom.js';
import type { ScanReport } from '../../report/types.js';
import { parseSbom } from '../../sbom/read/index.js';
import { BULWARK_VERSION } from '../../util/tool-version.js';
import type { ScansTable } from '../store/schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The stored SBOM as the pipeline's `Sbom` (redacted by the reader). */
export function storedSbom(scan: Pick<ScansTable, 'id' | 'sbom'>): Sbom {
  return parseSbom(JSON.parse(scan.sbom), `scan ${scan.id}`, `scan ${scan.id}`);
}

/** The stored findings (scan JSON), as written at ingest. */
export function storedFindingsJson(scan: Pick<ScansTable, 'findings'>): Obj[] {
  const v = JSON.parse(scan.findings) as unknown;
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function toFinding(f: Obj, pkg: Package): Finding {
  const cvss = isObj(f.cvss) ? f.cvss : undefined;
  return {
    id: typeof f.id === 'string' ? f.id : `${String(f.vulnerabilityId)}:${pkg.id}`,
    vulnerabilityId: String(f.vulnerabilityId),
    aliases: strs(f.aliases),
    package: pkg,
    severity: (typeof f.severity === 'string' ? f.severity : 'unknown') as Finding['severity'],
    severitySource: typeof f.severitySource === 'string' ? f.severitySource : 'unknown',
    ...(cvss && typeof cvss.vector === 'string' && typeof cvss.score === 'number'
      ? { cvss: { version: String(cvss.version), vector: cvss.vector, score: cvss.score } }
      : {}),
    fixState: (f.fixState === 'fixed' || f.fixState === 'wont-fix'
      ? f.fixState
      : typeof f.fixedVersion === 'string'
        ? 'fixed'
        : 'not-fixed') as Finding['fixState'],
    ...(typeof f.fixedVersion === 'string' ? { fixedVersion: f.fixedVersion } : {}),
    fixedVersions: strs(f.fixedVersions),
    ...(isObj(f.epss) && typeof f.epss.score === 'number'
      ? {
          epss: {
            score: f.epss.score,
            percentile: typeof f.epss.percentile === 'number' ? f.epss.percentile : 0,
            date: typeof f.epss.date === 'string' ? f.epss.date : '',
          },
        }
      : {}),
    ...(isObj(f.kev)
      ? {
          kev: {
            dateAdded: typeof f.kev.dateAdded === 'string' ? f.kev.dateAdded : '',
            ransomware: f.kev.ransomware === true,
            ...(typeof f.kev.dueDate === 'string' ? { dueDate: f.kev.dueDate } : {}),
          },
        }
      : {}),
    ...(typeof f.published === 'string' ? { published: f.published } : {}),
    ...(typeof f.modified === 'string' ? { modified: f.modified } : {}),
    ...(typeof f.summary === 'string' ? { summary: f.summary } : {}),
    references: strs(f.references),
    matches: (Array.isArray(f.matches) ? f.matches.filter(isObj) : []).map(
      (m) => m as unknown as MatchDetail,
    ),
    risk: typeof f.risk === 'number' ? f.risk : 0,
  } as Finding;
}

/**
 * The stored scan as a {@link ScanReport}: findings whose package is not in the stored SBOM (a
 * hand-made report) are kept with a package built from the finding's own fields.
 */
export function storedReport(scan: Pick<ScansTable, 'id' | 'sbom' | 'findings' | 'db_built_at'>): ScanReport {
  const sbom = storedSbom(scan);
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const findings: Finding[] = [];
  for (const f of storedFindingsJson(scan)) {
    if (typeof f.vulnerabilityId !== 'string' || !isObj(f.package)) continue;
    const p = f.package;
    const pkg =
      (typeof p.id === 'string' ? byId.get(p.id) : undefined) ??
      ({
        id: typeof p.id === 'string' ? p.id : String(p.purl),
        name: String(p.name),
        version: String(p.version),
        type: String(p.type),
        purl: String(p.purl),
        licenses: strs(p.licenses),
        locations: [],
        foundBy: 'register',
      } as unknown as Package);
    findings.push(toFinding(f, pkg));
  }
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    sbom,
    findings,
    ...(scan.db_built_at ? { database: { path: 'register', builtAt: scan.db_built_at } } : {}),
    expiredSuppressions: [],
    filters: {},
    // The detected base image travels in the stored SBOM: reports split findings by origin with it.
    ...(sbom.baseImage ? { baseImage: sbom.baseImage } : {}),
  };
}
