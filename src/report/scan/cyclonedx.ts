/**
 * `--format cyclonedx-json`: CycloneDX 1.6 — the SBOM's components, built by the SBOM's own CycloneDX
 * builder, plus a `vulnerabilities` array.
 *
 * One vulnerability entry per vulnerability id; its `affects[].ref` are the bom-refs of the affected
 * components (the package ids), with the installed version `affected` and the fixed version
 * `unaffected`. Suppressed findings carry an `analysis` (so the document is usable as VEX): a VEX
 * `not_affected` statement keeps its state and justification, VEX `fixed` becomes `resolved`, and an
 * ignore rule becomes `not_affected` with the rule and its reason as `detail`. Analysis belongs to the
 * whole entry, so when one id is suppressed for some packages and not others, the entry is split (one
 * per analysis) and the bom-refs get a `#n` suffix. Findings that stand have no analysis, which is
 * how CycloneDX distinguishes a finding from a VEX statement.
 *
 * Secrets and misconfigurations (`--scanners secret,config`) are left out: CycloneDX has no place for
 * them that consumers understand, and a BOM travels further than a scan report should.
 */
import type * as CdxLib from '@cyclonedx/cyclonedx-library';
import type { Finding, Severity, Suppression } from '../../match/types.js';
import type { ScanReport } from '../types.js';
import { resolveTimestamp } from '../../sbom/format/common.js';
import { buildCycloneDxBom, serializeCycloneDxBom } from '../../sbom/format/cyclonedx.js';
import {
  advisoryUrl,
  byString,
  compareFindings,
  isFixable,
  safeUrl,
  sortedNotEvaluated,
  type ScanRenderOptions,
} from './common.js';
import { lazyRequire } from '../../util/lazy.js';

const cdx = lazyRequire<typeof CdxLib>('@cyclonedx/cyclonedx-library');

/** The library's vulnerability model and this format's lookup tables, built on first use. */
function lib() {
  return (tables ??= buildTables());
}

let tables: ReturnType<typeof buildTables> | undefined;

function buildTables() {
  const V = cdx().Models.Vulnerability;
  const E = cdx().Enums.Vulnerability;
  const SEVERITY: Record<Severity, CdxLib.Enums.Vulnerability.Severity> = {
    critical: E.Severity.Critical,
    high: E.Severity.High,
    medium: E.Severity.Medium,
    low: E.Severity.Low,
    negligible: E.Severity.Info,
    unknown: E.Severity.Unknown,
  };

  const CVSS_METHOD: Record<string, CdxLib.Enums.Vulnerability.RatingMethod> = {
    '2.0': E.RatingMethod.CVSSv2,
    '3.0': E.RatingMethod.CVSSv3,
    '3.1': E.RatingMethod.CVSSv31,
    '4.0': E.RatingMethod.CVSSv4,
  };

  /** OpenVEX justifications in CycloneDX words; CycloneDX words pass through. */
  const JUSTIFICATION: Record<string, CdxLib.Enums.Vulnerability.AnalysisJustification> = {
    component_not_present: E.AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_present: E.AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_in_execute_path: E.AnalysisJustification.CodeNotReachable,
    vulnerable_code_cannot_be_controlled_by_adversary: E.AnalysisJustification.RequiresEnvironment,
    inline_mitigations_already_exist: E.AnalysisJustification.ProtectedByMitigatingControl,
    ...Object.fromEntries(Object.values(E.AnalysisJustification).map((j) => [j, j])),
  };
  return { V, E, SEVERITY, CVSS_METHOD, JUSTIFICATION };
}

/** The database an id belongs to, as a CycloneDX source (name and advisory URL). */
function sourceOf(id: string): CdxLib.Models.Vulnerability.Source {
  const { V } = lib();
  const name = id.startsWith('CVE-')
    ? 'NVD'
    : id.startsWith('GHSA-')
      ? 'GitHub'
      : /^(DEBIAN|DSA|DLA)-/.test(id)
        ? 'Debian'
        : 'OSV';
  const url = advisoryUrl(id);
  return new V.Source({ name, ...(url ? { url } : {}) });
}

function analysisOf(s: Suppression): CdxLib.Models.Vulnerability.Analysis {
  const { V, E, JUSTIFICATION } = lib();
  const where = `${s.kind === 'vex' ? 'VEX statement' : 'Ignore rule'} ${s.source}`;
  const expires = s.expires ? ` (until ${s.expires})` : '';
  const detail = `${where}: ${s.reason}${expires}`;
  const justification = s.justification ? JUSTIFICATION[s.justification] : undefined;
  if (s.kind === 'vex' && s.status === 'fixed')
    return new V.Analysis({ state: E.AnalysisState.Resolved, detail });
  return new V.Analysis({
    state: E.AnalysisState.NotAffected,
    ...(justification ? { justification } : {}),
    detail,
  });
}

const analysisKey = (s: Suppression | undefined): string =>
  s ? JSON.stringify([s.kind, s.status, s.justification ?? '', s.source, s.reason, s.expires ?? '']) : '';

function date(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function vulnerabilityOf(
  id: string,
  findings: readonly Finding[],
  bomRef: string,
  refs: ReadonlyMap<string, CdxLib.Models.BomRef>,
): CdxLib.Models.Vulnerability.Vulnerability {
  const { V, E, SEVERITY, CVSS_METHOD } = lib();
  const first = findings[0]!;
  const summary = findings.map((f) => f.summary).find((s) => s && s.trim());
  const fixes = findings
    .filter(isFixable)
    .map((f) => `Upgrade ${f.package.name} ${f.package.version} to ${f.fixedVersion}.`);
  const vuln = new V.Vulnerability({
    bomRef,
    id,
    source: sourceOf(id),
    ...(summary ? { description: summary } : {}),
    ...(fixes.length > 0 ? { recommendation: [...new Set(fixes)].join(' ') } : {}),
    ...(date(first.published) ? { published: date(first.published) } : {}),
    ...(date(first.modified) ? { updated: date(first.modified) } : {}),
    ...(first.suppressed ? { analysis: analysisOf(first.suppressed) } : {}),
  });

  for (const alias of [...new Set(findings.flatMap((f) => f.aliases))]
    .filter((a) => a !== id)
    .sort(byString)) {
    vuln.references.add(new V.Reference(alias, sourceOf(alias)));
  }

  const seen = new Set<string>();
  for (const f of findings) {
    const key = JSON.stringify([f.severity, f.severitySource, f.cvss?.vector ?? '', f.cvss?.score ?? -1]);
    if (seen.has(key)) continue;
    seen.add(key);
    const method = f.cvss ? CVSS_METHOD[f.cvss.version] : undefined;
    vuln.ratings.add(
      new V.Rating({
        source: new V.Source({ name: f.severitySource }),
        severity: SEVERITY[f.severity] ?? E.Severity.Unknown,
        ...(f.cvss ? { score: f.cvss.score, vector: f.cvss.vector } : {}),
        method: method ?? E.RatingMethod.Other,
      }),
    );
  }

  for (const url of [...new Set(findings.flatMap((f) => f.references))].sort(byString)) {
    const safe = safeUrl(url);
    if (safe) vuln.advisories.add(new V.Advisory(safe));
  }

  for (const f of findings) {
    const ref = refs.get(f.package.id);
    // Findings are about SBOM packages; a finding whose package is not in the SBOM has nothing to point at.
    if (!ref) continue;
    const versions = [new V.AffectedSingleVersion(f.package.version, { status: E.AffectStatus.Affected })];
    if (isFixable(f)) {
      versions.push(new V.AffectedSingleVersion(f.fixedVersion!, { status: E.AffectStatus.Unaffected }));
    }
    vuln.affects.add(new V.Affect(ref, { versions: new V.AffectedVersionRepository(versions) }));
  }

  const props: [string, string][] = [['bulwark:fixState', first.fixState]];
  const kev = findings.find((f) => f.kev)?.kev;
  if (kev) {
    props.push(['bulwark:kev:dateAdded', kev.dateAdded], ['bulwark:kev:ransomware', String(kev.ransomware)]);
    if (kev.dueDate) props.push(['bulwark:kev:dueDate', kev.dueDate]);
  }
  const epss = findings.find((f) => f.epss)?.epss;
  if (epss) {
    props.push(
      ['bulwark:epss:score', String(epss.score)],
      ['bulwark:epss:percentile', String(epss.percentile)],
      ['bulwark:epss:date', epss.date],
    );
  }
  // Matched by the upstream version although an OS package owns the files (--include-os-owned).
  for (const f of findings)
    if (f.ownedBy) props.push(['bulwark:osOwned', `${f.package.purl} owned by ${f.ownedBy.purl}`]);
  if (first.suppressed) {
    props.push(
      ['bulwark:suppression:kind', first.suppressed.kind],
      ['bulwark:suppression:source', first.suppressed.source],
    );
  }
  for (const [name, value] of props) vuln.properties.add(new (cdx().Models.Property)(name, value));
  return vuln;
}

/** CycloneDX 1.6 JSON: the SBOM's components plus the findings as `vulnerabilities`. */
export function renderCycloneDx(report: ScanReport, options: ScanRenderOptions = {}): string {
  const { date: timestamp, pinned } = resolveTimestamp(options);
  const bom = buildCycloneDxBom(report.sbom, timestamp);
  const refs = new Map<string, CdxLib.Models.BomRef>();
  for (const c of bom.components) if (c.bomRef.value) refs.set(c.bomRef.value, c.bomRef);

  const groups = new Map<string, { id: string; key: string; findings: Finding[] }>();
  for (const f of [...report.findings].sort(compareFindings)) {
    const key = analysisKey(f.suppressed);
    const gk = `${f.vulnerabilityId}\u0000${key}`;
    const g = groups.get(gk) ?? { id: f.vulnerabilityId, key, findings: [] };
    g.findings.push(f);
    groups.set(gk, g);
  }
  // Unsuppressed entry first (empty key), then suppressed ones, per id: stable bom-ref suffixes.
  const ordered = [...groups.values()].sort((a, b) => byString(a.id, b.id) || byString(a.key, b.key));
  let previous = '';
  let n = 0;
  for (const g of ordered) {
    n = g.id === previous ? n + 1 : 0;
    previous = g.id;
    const bomRef = `bulwark:vulnerability:${g.id}${n > 0 ? `#${n + 1}` : ''}`;
    bom.vulnerabilities.add(vulnerabilityOf(g.id, g.findings, bomRef, refs));
  }
  addNotEvaluated(bom, report);
  return serializeCycloneDxBom(bom, pinned);
}

/**
 * Packages that were not evaluated: counted on the BOM's metadata (`bulwark:coverage:*`, one
 * `bulwark:notEvaluated:<reason>` property per cause with its count) and marked on each component
 * (`bulwark:notEvaluated:reason` and `…:detail`), so a consumer never reads "no vulnerability entry"
 * as "not affected" for them.
 */
function addNotEvaluated(bom: CdxLib.Models.Bom, report: ScanReport): void {
  const coverage = report.coverage;
  if (!coverage) return;
  const meta = bom.metadata.properties;
  meta.add(new (cdx().Models.Property)('bulwark:coverage:evaluated', String(coverage.evaluated)));
  meta.add(new (cdx().Models.Property)('bulwark:coverage:notEvaluated', String(coverage.notEvaluated)));
  for (const g of coverage.groups)
    meta.add(new (cdx().Models.Property)(`bulwark:notEvaluated:${g.reason}`, `${g.packages}: ${g.group}`));
  const byRef = new Map<string, CdxLib.Models.Component>();
  const visit = (cs: Iterable<CdxLib.Models.Component>): void => {
    for (const c of cs) {
      if (c.bomRef.value) byRef.set(c.bomRef.value, c);
      visit(c.components);
    }
  };
  visit(bom.components);
  for (const n of sortedNotEvaluated(report)) {
    const c = byRef.get(n.package.id);
    if (!c) continue;
    c.properties.add(new (cdx().Models.Property)('bulwark:notEvaluated:reason', n.reason));
    c.properties.add(new (cdx().Models.Property)('bulwark:notEvaluated:detail', n.detail));
  }
}
