/**
 * Risk score used to order findings (docs/scan.md):
 *
 *   risk = 100 × KEV + 50 × EPSS probability + 40 × severity score / 10 + 10 × fixable
 *
 * where the severity score is the CVSS base score when known, else a stand-in per rating (critical 9.5,
 * high 8, medium 5.5, low 2.5, negligible 0.5, unknown 4). Without KEV the sum is at most 100, so a
 * known-exploited vulnerability always ranks first; EPSS (likelihood of exploitation) then outweighs
 * severity, and among otherwise equal findings the fixable ones come first (they are actionable).
 */
import type { Cvss, Severity } from './types.js';

const STAND_IN: Record<Severity, number> = {
  critical: 9.5,
  high: 8,
  medium: 5.5,
  low: 2.5,
  negligible: 0.5,
  unknown: 4,
};

export interface RiskInputs {
  readonly kev: boolean;
  readonly epss?: number;
  readonly severity: Severity;
  readonly cvss?: Cvss;
  readonly fixable: boolean;
}

export function riskScore(i: RiskInputs): number {
  const sev = i.cvss?.score ?? STAND_IN[i.severity];
  const raw = (i.kev ? 100 : 0) + 50 * Math.min(1, Math.max(0, i.epss ?? 0)) + 4 * sev + (i.fixable ? 10 : 0);
  return Math.round(raw * 100) / 100;
}
