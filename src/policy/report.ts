/**
 * From matches to the scan report: suppressions (config, VEX) mark findings, filters select what the
 * report shows, and the result is a {@link ScanReport}. The stages stay separate so `quickview` and
 * `compare` reuse them.
 */
import type { Coverage, Finding, NotEvaluated } from '../match/types.js';
import type { ScanReport } from '../report/types.js';
import type { Sbom } from '../model/sbom.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { IgnoreRule } from './config.js';
import { applyFilters, packageSelected, type FindingFilters } from './filters.js';
import { applySuppressions } from './suppress.js';
import type { VexStatement } from './vex.js';

export interface PolicyInputs {
  readonly rules?: readonly IgnoreRule[];
  readonly vex?: readonly VexStatement[];
  readonly filters?: FindingFilters;
  readonly now?: Date;
}

export interface ReportContext {
  readonly database?: ScanReport['database'];
  /**
   * Packages the match stage could not evaluate. Given exactly when matching ran: the report then
   * carries `notEvaluated` and `coverage` (restricted by the package filters, like the findings).
   */
  readonly notEvaluated?: readonly NotEvaluated[];
}

/** Apply suppressions and filters to matched findings and assemble the report. */
export function buildScanReport(
  sbom: Sbom,
  findings: readonly Finding[],
  policy: PolicyInputs = {},
  ctx: ReportContext = {},
): ScanReport {
  const { findings: marked, expired } = applySuppressions(
    findings,
    policy.rules ?? [],
    policy.vex ?? [],
    policy.now,
  );
  const shown = applyFilters(marked, policy.filters ?? {});
  const filters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(policy.filters ?? {}))
    if (v !== undefined && v !== false) filters[k] = v;
  const notEvaluated = ctx.notEvaluated?.filter((n) => packageSelected(n.package, policy.filters ?? {}));
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    sbom,
    findings: shown,
    ...(ctx.database ? { database: ctx.database } : {}),
    expiredSuppressions: expired,
    filters,
    ...(notEvaluated
      ? {
          notEvaluated,
          coverage: coverageOf(
            sbom.packages.filter((p) => packageSelected(p, policy.filters ?? {})).length,
            notEvaluated,
          ),
        }
      : {}),
  };
}

/** Evaluated / not-evaluated counts, the not-evaluated ones grouped by cause, largest group first. */
export function coverageOf(packages: number, notEvaluated: readonly NotEvaluated[]): Coverage {
  const groups = new Map<string, { reason: NotEvaluated['reason']; group: string; packages: number }>();
  for (const n of notEvaluated) {
    const key = `${n.reason}\u0000${n.group}`;
    const g = groups.get(key);
    if (g) g.packages++;
    else groups.set(key, { reason: n.reason, group: n.group, packages: 1 });
  }
  return {
    packages,
    evaluated: packages - notEvaluated.length,
    notEvaluated: notEvaluated.length,
    groups: [...groups.values()].sort(
      (a, b) => b.packages - a.packages || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    ),
  };
}
