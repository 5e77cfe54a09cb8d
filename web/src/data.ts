/**
 * Page data that the dashboard assembles from the register's documents: an image's layers, packages and
 * vulnerabilities grouped by package from its newest scan (the SBOM and the findings as scanned), and the
 * comparison of two scans. Pure functions over the API's JSON, so the image page reads one scan's two
 * documents and computes everything else locally.
 */
import type { Finding, Severity } from './api';

/** A package of the stored SBOM (bulwark-sbom/v1, see docs/sbom-json.md). */
export interface SbomPackage {
  id: string;
  name: string;
  version: string;
  type: string;
  purl: string;
  licenses?: string[];
  layer?: { index: number; diffId: string };
  locations?: { path: string; layer?: { index: number } }[];
}
export interface SbomLayer {
  index: number;
  digest: string;
  diffId: string;
  mediaType?: string;
  size: number;
  createdBy?: string;
  created?: string;
}
export interface Sbom {
  source: {
    kind: string;
    target?: string;
    image?: {
      format?: string;
      repoTags?: string[];
      manifestDigest?: string;
      configDigest?: string;
      platform?: { os: string; architecture: string; variant?: string };
      created?: string;
      layers?: SbomLayer[];
      history?: { created?: string; createdBy?: string; emptyLayer?: boolean }[];
      config?: { user?: string; entrypoint?: string[]; cmd?: string[] };
    };
  };
  distro?: { id: string; versionId?: string; prettyName?: string };
  packages: SbomPackage[];
}
/** A finding as the scanner reported it (scan JSON, docs/scan-json.md). */
export interface ReportFinding {
  vulnerabilityId: string;
  aliases?: string[];
  severity: Severity;
  cvss?: { version?: string; vector?: string; score?: number };
  fixable?: boolean;
  fixedVersion?: string;
  fixedVersions?: string[];
  summary?: string;
  kev?: { dueDate?: string; dateAdded?: string };
  epss?: { score?: number; percentile?: number };
  references?: string[];
  package: SbomPackage;
}

const SEV_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, negligible: 4, unknown: 5 };
export const bySeverity = (a: { severity: string }, b: { severity: string }): number =>
  (SEV_ORDER[a.severity] ?? 9) - (SEV_ORDER[b.severity] ?? 9);

export type Counts = Partial<Record<Severity, number>>;
export function countBySeverity(fs: readonly { severity: Severity }[]): Counts {
  const c: Counts = {};
  for (const f of fs) c[f.severity] = (c[f.severity] ?? 0) + 1;
  return c;
}

export interface LayerView {
  index: number;
  createdBy: string;
  size: number;
  digest: string;
  packages: SbomPackage[];
  findings: ReportFinding[];
}

/** Each filesystem layer with the packages whose version it introduced and their findings. */
export function layersOf(sbom: Sbom, findings: readonly ReportFinding[]): LayerView[] {
  const layers = sbom.source.image?.layers ?? [];
  const views: LayerView[] = layers.map((l) => ({
    index: l.index,
    createdBy: l.createdBy ?? '',
    size: l.size,
    digest: l.digest,
    packages: [],
    findings: [],
  }));
  const at = (i: number | undefined): LayerView | undefined => (i === undefined ? undefined : views[i]);
  for (const p of sbom.packages) at(p.layer?.index)?.packages.push(p);
  for (const f of findings) at(f.package.layer?.index)?.findings.push(f);
  for (const v of views) v.findings.sort(bySeverity);
  return views;
}

export interface PackageGroup {
  key: string;
  name: string;
  version: string;
  type: string;
  purl: string;
  layer?: number;
  findings: ReportFinding[];
  /** The lowest version that fixes every fixable finding of this package, when one fixes them all. */
  upgradeTo?: string;
  fixable: number;
  worst: Severity;
}

/** Compare two version strings loosely (numbers numerically), enough to pick the highest fix version. */
export function looseCompare(a: string, b: string): number {
  const pa = a.split(/[^0-9A-Za-z]+/);
  const pb = b.split(/[^0-9A-Za-z]+/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    const c = nx && ny ? Number(x) - Number(y) : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

/** Vulnerabilities grouped by package, worst first, with the upgrade that fixes them ("upgrade X fixes N"). */
export function groupByPackage(findings: readonly ReportFinding[]): PackageGroup[] {
  const groups = new Map<string, PackageGroup>();
  for (const f of findings) {
    const key = `${f.package.type}/${f.package.name}@${f.package.version}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        name: f.package.name,
        version: f.package.version,
        type: f.package.type,
        purl: f.package.purl,
        ...(f.package.layer ? { layer: f.package.layer.index } : {}),
        findings: [],
        fixable: 0,
        worst: f.severity,
      };
      groups.set(key, g);
    }
    g.findings.push(f);
    if (bySeverity(f, { severity: g.worst }) < 0) g.worst = f.severity;
  }
  for (const g of groups.values()) {
    g.findings.sort(bySeverity);
    const fixes = g.findings.map((f) => f.fixedVersion).filter((v): v is string => !!v);
    g.fixable = fixes.length;
    let best: string | undefined;
    for (const v of fixes) if (best === undefined || looseCompare(v, best) > 0) best = v;
    if (best !== undefined) g.upgradeTo = best;
  }
  return [...groups.values()].sort((a, b) => bySeverity({ severity: a.worst }, { severity: b.worst }) || b.findings.length - a.findings.length || a.key.localeCompare(b.key));
}

export interface Comparison {
  added: SbomPackage[];
  removed: SbomPackage[];
  changed: { name: string; type: string; from: string; to: string }[];
  vulnsAdded: ReportFinding[];
  vulnsRemoved: ReportFinding[];
}

const pkgKey = (p: SbomPackage): string => `${p.type}/${p.name}/${p.locations?.[0]?.path ?? ''}`;
const vulnKey = (f: ReportFinding): string => `${f.vulnerabilityId}|${f.package.type}/${f.package.name}`;

/** What changed from `base` to `target`: packages added, removed, changed; vulnerabilities added, removed. */
export function compare(
  base: { sbom: Sbom; findings: readonly ReportFinding[] },
  target: { sbom: Sbom; findings: readonly ReportFinding[] },
): Comparison {
  const b = new Map(base.sbom.packages.map((p) => [pkgKey(p), p]));
  const t = new Map(target.sbom.packages.map((p) => [pkgKey(p), p]));
  const added: SbomPackage[] = [];
  const changed: Comparison['changed'] = [];
  for (const [k, p] of t) {
    const old = b.get(k);
    if (!old) added.push(p);
    else if (old.version !== p.version) changed.push({ name: p.name, type: p.type, from: old.version, to: p.version });
  }
  const removed = [...b].filter(([k]) => !t.has(k)).map(([, p]) => p);
  const bv = new Set(base.findings.map(vulnKey));
  const tv = new Set(target.findings.map(vulnKey));
  const byName = (x: { name: string }, y: { name: string }): number => x.name.localeCompare(y.name);
  return {
    added: added.sort(byName),
    removed: removed.sort(byName),
    changed: changed.sort(byName),
    vulnsAdded: target.findings.filter((f) => !bv.has(vulnKey(f))).sort(bySeverity),
    vulnsRemoved: base.findings.filter((f) => !tv.has(vulnKey(f))).sort(bySeverity),
  };
}

/** The register finding (state, history) for a scanned finding: same vulnerability, package and version. */
export function registerIndex(findings: readonly Finding[]): (f: ReportFinding) => Finding | undefined {
  const m = new Map<string, Finding>();
  for (const r of findings) m.set(`${r.vulnerabilityId}|${r.package.type}|${r.package.name}|${r.package.version}`, r);
  return (f) => m.get(`${f.vulnerabilityId}|${f.package.type}|${f.package.name}|${f.package.version}`);
}
