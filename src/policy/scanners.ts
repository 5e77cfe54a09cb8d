/** `--fail-on` and `--severity` over every scanner's findings, on the shared scale of ../scanners/types.ts. */
import type { Rating } from '../db/types.js';
import type { ScanReport } from '../report/types.js';
import { failingFindings } from './filters.js';
import type { RedactedFinding } from '../secrets/types.js';
import { ratingOf, ratingRank, type Misconfiguration } from '../extra-scanners/types.js';

export interface FailingCounts {
  readonly vulnerabilities: number;
  readonly secrets: number;
  readonly misconfigurations: number;
  readonly total: number;
}

/** How many shown, unsuppressed findings of each scanner are at or above `threshold`. */
export function failingCounts(report: ScanReport, threshold: Rating): FailingCounts {
  const min = ratingRank(threshold);
  const vulnerabilities = failingFindings(report.findings, threshold).length;
  const secrets = (report.secrets ?? []).filter((f) => ratingRank(ratingOf(f.severity)) >= min).length;
  const misconfigurations = (report.misconfigurations ?? []).filter(
    (f) => ratingRank(ratingOf(f.severity)) >= min,
  ).length;
  return {
    vulnerabilities,
    secrets,
    misconfigurations,
    total: vulnerabilities + secrets + misconfigurations,
  };
}

/** `--severity` applied to secrets and misconfigurations (the other filters are about packages). */
export function filterBySeverity<T extends RedactedFinding | Misconfiguration>(
  findings: readonly T[],
  severities: readonly Rating[] | undefined,
): T[] {
  if (!severities) return [...findings];
  return findings.filter((f) => severities.includes(ratingOf(f.severity)));
}
