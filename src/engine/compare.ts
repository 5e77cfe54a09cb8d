/**
 * Compare two scan results: packages added, removed and changed (by type and name), and
 * vulnerabilities added and removed (by vulnerability id and package).
 */
import type { Package } from '../model/package.js';
import type { ScanReport } from '../report/types.js';
import { scanTarget, type ScanOptions, type ScanRun } from './scan.js';
import type { Target } from './target.js';

export interface PackageChange {
  readonly type: string;
  readonly name: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface VulnChange {
  readonly vulnerabilityId: string;
  readonly severity: string;
  readonly package: string;
  readonly version: string;
  readonly type: string;
}

export interface Comparison {
  readonly base: string;
  readonly target: string;
  readonly packages: {
    readonly added: PackageChange[];
    readonly removed: PackageChange[];
    readonly changed: PackageChange[];
    readonly unchanged: PackageChange[];
  };
  readonly vulnerabilities: {
    readonly added: VulnChange[];
    readonly removed: VulnChange[];
    readonly unchanged: number;
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function versionsByName(
  pkgs: readonly Package[],
): Map<string, { type: string; name: string; versions: Set<string> }> {
  const out = new Map<string, { type: string; name: string; versions: Set<string> }>();
  for (const p of pkgs) {
    const key = `${p.type}\u0000${p.name}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { type: p.type, name: p.name, versions: new Set() }));
    e.versions.add(p.version);
  }
  return out;
}

function vulnKeys(report: ScanReport): Map<string, VulnChange> {
  const out = new Map<string, VulnChange>();
  for (const f of report.findings) {
    if (f.suppressed) continue;
    const key = `${f.vulnerabilityId}\u0000${f.package.type}\u0000${f.package.name}`;
    if (!out.has(key))
      out.set(key, {
        vulnerabilityId: f.vulnerabilityId,
        severity: f.severity,
        package: f.package.name,
        version: f.package.version,
        type: f.package.type,
      });
  }
  return out;
}

const byPkg = (a: PackageChange, b: PackageChange): number => cmp(a.type, b.type) || cmp(a.name, b.name);
const byVuln = (a: VulnChange, b: VulnChange): number =>
  cmp(a.vulnerabilityId, b.vulnerabilityId) || cmp(a.type, b.type) || cmp(a.package, b.package);

/** Compare two scan reports (`a` is the base). */
export function compareReports(a: ScanReport, b: ScanReport): Comparison {
  const pa = versionsByName(a.sbom.packages);
  const pb = versionsByName(b.sbom.packages);
  const sorted = (s: Set<string>): string[] => [...s].sort(cmp);
  const added: PackageChange[] = [];
  const removed: PackageChange[] = [];
  const changed: PackageChange[] = [];
  const unchanged: PackageChange[] = [];
  for (const [k, e] of pb) {
    const before = pa.get(k);
    const change = {
      type: e.type,
      name: e.name,
      before: before ? sorted(before.versions) : [],
      after: sorted(e.versions),
    };
    if (!before) added.push(change);
    else if (change.before.join('\u0000') !== change.after.join('\u0000')) changed.push(change);
    else unchanged.push(change);
  }
  for (const [k, e] of pa)
    if (!pb.has(k)) removed.push({ type: e.type, name: e.name, before: sorted(e.versions), after: [] });
  const va = vulnKeys(a);
  const vb = vulnKeys(b);
  return {
    base: a.sbom.source.target,
    target: b.sbom.source.target,
    packages: {
      added: added.sort(byPkg),
      removed: removed.sort(byPkg),
      changed: changed.sort(byPkg),
      unchanged: unchanged.sort(byPkg),
    },
    vulnerabilities: {
      added: [...vb]
        .filter(([k]) => !va.has(k))
        .map(([, v]) => v)
        .sort(byVuln),
      removed: [...va]
        .filter(([k]) => !vb.has(k))
        .map(([, v]) => v)
        .sort(byVuln),
      unchanged: [...vb.keys()].filter((k) => va.has(k)).length,
    },
  };
}

export interface TargetComparison {
  readonly comparison: Comparison;
  readonly base: ScanRun;
  readonly target: ScanRun;
}

/**
 * Scan two targets with the same options and compare them (`base` first). The second scan uses the
 * database the first one prepared, as it was: both are matched against the same data.
 */
export async function compareTargets(
  base: string | Target,
  target: string | Target,
  options: ScanOptions = {},
): Promise<TargetComparison> {
  const a = await scanTarget(base, options);
  const b = await scanTarget(target, {
    ...options,
    offline: true,
    db: a.report.database?.path ?? options.db,
  });
  return { comparison: compareReports(a.report, b.report), base: a, target: b };
}
