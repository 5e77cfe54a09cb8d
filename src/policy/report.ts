/**
 * From matches to the scan report: suppressions (config, VEX) mark findings, filters select what the
 * report shows, and the result is a {@link ScanReport}. The stages stay separate so `quickview` and
 * `compare` reuse them.
 */
import type { Finding, ScanReport } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { IgnoreRule } from './config.js';
import { applyFilters, type FindingFilters } from './filters.js';
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
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    sbom,
    findings: shown,
    ...(ctx.database ? { database: ctx.database } : {}),
    expiredSuppressions: expired,
    filters,
  };
}
