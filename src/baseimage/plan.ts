/**
 * What a base-image change would do to an image's vulnerabilities, and the fix plan
 * (docs/base-images.md#the-fix-plan): the fewest ordered changes that remove the most risk.
 *
 * A vulnerability is identified by (vulnerability id, package type, package name), as `bulwark compare`
 * does; suppressed findings do not count. Risk is the finding's risk score (src/match/risk.ts), each
 * vulnerability counted once per package.
 */
import type { Finding, Severity } from '../match/types.js';
import { compareVersions, schemeForEcosystem } from '../version/index.js';

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

/** One vulnerability of one package. */
export interface VulnRef {
  readonly vulnerabilityId: string;
  readonly severity: Severity;
  readonly package: string;
  readonly version: string;
  readonly type: string;
  readonly risk: number;
}

export type SeverityCounts = Readonly<Record<Severity, number>> & { readonly total: number };

/** What replacing the current base's findings with a candidate's would remove and add. */
export interface VulnDelta {
  readonly removed: readonly VulnRef[];
  readonly added: readonly VulnRef[];
  readonly removedBySeverity: SeverityCounts;
  readonly addedBySeverity: SeverityCounts;
  /** Sum of the risk of the removed vulnerabilities minus that of the added ones. */
  readonly netRisk: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byVuln = (a: VulnRef, b: VulnRef): number =>
  cmp(a.vulnerabilityId, b.vulnerabilityId) || cmp(a.type, b.type) || cmp(a.package, b.package);

/** The key of a vulnerability of a package: the same as `compareReports` uses. */
export function vulnKey(f: Finding): string {
  return `${f.vulnerabilityId}\u0000${f.package.type}\u0000${f.package.name}`;
}

/** Not-suppressed findings as one {@link VulnRef} per key (the riskiest finding of the key wins). */
export function vulnerabilities(findings: readonly Finding[]): Map<string, VulnRef> {
  const out = new Map<string, VulnRef>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const k = vulnKey(f);
    const prev = out.get(k);
    if (prev && prev.risk >= f.risk) continue;
    out.set(k, {
      vulnerabilityId: f.vulnerabilityId,
      severity: f.severity,
      package: f.package.name,
      version: f.package.version,
      type: f.package.type,
      risk: f.risk,
    });
  }
  return out;
}

/** Counts by severity of some vulnerabilities. */
export function countBySeverity(list: readonly VulnRef[]): SeverityCounts {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const v of list) out[v.severity] = (out[v.severity] ?? 0) + 1;
  return { ...out, total: list.length };
}

const riskOf = (list: readonly VulnRef[]): number => list.reduce((n, v) => n + v.risk, 0);
const round = (n: number): number => Math.round(n * 100) / 100;

/** What moving from `current` findings to `candidate` findings removes and adds. */
export function vulnerabilityDelta(current: readonly Finding[], candidate: readonly Finding[]): VulnDelta {
  const a = vulnerabilities(current);
  const b = vulnerabilities(candidate);
  const removed = [...a]
    .filter(([k]) => !b.has(k))
    .map(([, v]) => v)
    .sort(byVuln);
  const added = [...b]
    .filter(([k]) => !a.has(k))
    .map(([, v]) => v)
    .sort(byVuln);
  return {
    removed,
    added,
    removedBySeverity: countBySeverity(removed),
    addedBySeverity: countBySeverity(added),
    netRisk: round(riskOf(removed) - riskOf(added)),
  };
}

/** One step of the fix plan. */
export interface PlanStep {
  readonly kind: 'base' | 'upgrade';
  /** `change the base image to debian:12-slim` / `upgrade openssl 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1`. */
  readonly action: string;
  /** For `upgrade`: the package (the source package for OS packages), its type, from and to versions. */
  readonly package?: {
    readonly name: string;
    readonly type: string;
    readonly from: string;
    readonly to: string;
  };
  /** For `base`: the new base reference. */
  readonly base?: string;
  /** What it fixes, sorted by vulnerability id. */
  readonly fixes: readonly VulnRef[];
  readonly fixesBySeverity: SeverityCounts;
  /** What it adds (a base change can bring vulnerabilities of its own). */
  readonly adds: readonly VulnRef[];
  /** Risk removed, net of what it adds. */
  readonly risk: number;
}

/** The best candidate base, if one lowers the risk. */
export interface PlanBase {
  readonly reference: string;
  readonly delta: VulnDelta;
  /** The candidate's own findings (its packages after the change). */
  readonly findings: readonly Finding[];
}

/**
 * The fix plan: first the base change (when one lowers the net risk), then one upgrade per package
 * (per source package for OS packages) to the highest of the nearest fixed versions of its fixable
 * findings, in the image as it would be after the base change — ordered by the risk each removes,
 * then by name. Every step fixes something; no two steps fix the same vulnerability.
 */
export function fixPlan(input: {
  /** Findings of the image's own layers. */
  readonly own: readonly Finding[];
  /** Findings of the current base's layers. */
  readonly base: readonly Finding[];
  readonly best?: PlanBase;
}): PlanStep[] {
  const steps: PlanStep[] = [];
  const best = input.best && input.best.delta.netRisk > 0 ? input.best : undefined;
  if (best)
    steps.push({
      kind: 'base',
      action: `change the base image to ${best.reference}`,
      base: best.reference,
      fixes: best.delta.removed,
      fixesBySeverity: best.delta.removedBySeverity,
      adds: best.delta.added,
      risk: best.delta.netRisk,
    });
  const after = [...input.own, ...(best ? best.findings : input.base)];
  const groups = new Map<
    string,
    { name: string; type: string; from: string; ecosystem: string; to: string[]; vulns: Map<string, VulnRef> }
  >();
  for (const f of after) {
    if (f.suppressed || f.fixState !== 'fixed' || !f.fixedVersion) continue;
    const m = f.matches[0];
    const name = m?.searchedBy.name ?? f.package.name;
    const from = m?.searchedBy.version ?? f.package.version;
    const key = `${f.package.type}\u0000${name}\u0000${from}`;
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = {
          name,
          type: f.package.type,
          from,
          ecosystem: m?.searchedBy.ecosystem ?? '',
          to: [],
          vulns: new Map(),
        }),
      );
    g.to.push(f.fixedVersion);
    const v = vulnerabilities([f]).values().next().value!;
    const vk = `${f.vulnerabilityId}\u0000${f.package.type}\u0000${name}`;
    const prev = g.vulns.get(vk);
    if (!prev || prev.risk < v.risk) g.vulns.set(vk, v);
  }
  const upgrades: PlanStep[] = [];
  for (const g of groups.values()) {
    const scheme = schemeForEcosystem(g.ecosystem);
    const to = [...new Set(g.to)].sort((a, b) => {
      try {
        return scheme ? compareVersions(scheme, a, b) : cmp(a, b);
      } catch {
        return cmp(a, b);
      }
    });
    const fixes = [...g.vulns.values()].sort(byVuln);
    upgrades.push({
      kind: 'upgrade',
      action: `upgrade ${g.name} ${g.from} → ${to.at(-1)!}`,
      package: { name: g.name, type: g.type, from: g.from, to: to.at(-1)! },
      fixes,
      fixesBySeverity: countBySeverity(fixes),
      adds: [],
      risk: round(riskOf(fixes)),
    });
  }
  upgrades.sort(
    (a, b) =>
      b.risk - a.risk || cmp(a.package!.name, b.package!.name) || cmp(a.package!.from, b.package!.from),
  );
  return [...steps, ...upgrades];
}
