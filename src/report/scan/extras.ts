/**
 * What every scan renderer needs about the `secret` and `config` scanners' findings: their places as
 * text, counts on the shared severity scale, and a deterministic order. Secret findings hold only a
 * redacted preview, a length and a fingerprint; misconfiguration messages are redacted by the checks.
 */
import type { Rating } from '../../db/types.js';
import type { ScanReport } from '../types.js';
import { ratingOf, type Misconfiguration } from '../../extra-scanners/types.js';
import { describeLocation, describeSecret, sortFindings } from '../../secrets/report.js';
import type { RedactedFinding } from '../../secrets/types.js';
import { SEVERITY_ORDER } from './common.js';

export { describeSecret };

/** `app/.env:1:1 [layer 2, deleted in layer 3]`, `config:Env/GITHUB_TOKEN`. */
export function secretLocation(f: RedactedFinding): string {
  return describeLocation(f);
}

/** `Dockerfile:3:1`, `config User`, `config Env GITHUB_TOKEN`, `history #4`, `/app/id_rsa`. */
export function misconfigLocation(m: Misconfiguration): string {
  if (m.kind === 'dockerfile') return `${m.path}:${m.range.start.line}:${m.range.start.column}`;
  const l = m.location;
  if (l.kind === 'config') return `config ${l.field}${l.key !== undefined ? ` ${l.key}` : ''}`;
  if (l.kind === 'history') return `history #${l.index}`;
  return l.path;
}

/** The severity word shown for a misconfiguration (lint keeps `info`). */
export function severityWord(f: RedactedFinding | Misconfiguration): string {
  return f.severity;
}

const rank = (f: RedactedFinding | Misconfiguration): number => SEVERITY_ORDER.indexOf(ratingOf(f.severity));

/** Secrets most severe first, then path, layer, line, column, rule. */
export function sortedSecrets(report: ScanReport): RedactedFinding[] {
  return sortFindings(report.secrets ?? []).sort((a, b) => rank(a) - rank(b));
}

/** Misconfigurations most severe first, then location and rule (the stable sort keeps the checks' order). */
export function sortedMisconfigurations(report: ScanReport): Misconfiguration[] {
  return [...(report.misconfigurations ?? [])]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

/** Counts by rating, most severe first, only the ratings present. */
export function countByRating(findings: readonly (RedactedFinding | Misconfiguration)[]): [Rating, number][] {
  const by = new Map<Rating, number>();
  for (const f of findings) by.set(ratingOf(f.severity), (by.get(ratingOf(f.severity)) ?? 0) + 1);
  return SEVERITY_ORDER.filter((s) => by.has(s)).map((s) => [s, by.get(s)!]);
}

/** `2 critical, 1 high` (lint `info` findings are counted as `info`). */
export function countsText(findings: readonly (RedactedFinding | Misconfiguration)[]): string {
  const info = findings.filter((f) => f.severity === 'info').length;
  return countByRating(findings)
    .map(([s, n]) => {
      if (s !== 'negligible') return `${n} ${s}`;
      const parts = [n - info > 0 ? `${n - info} negligible` : '', info > 0 ? `${info} info` : ''];
      return parts.filter(Boolean).join(', ');
    })
    .join(', ');
}

/**
 * Whether the vulnerability scanner ran: it always records its database; a report of only the secret
 * and config scanners (`--scanners secret,config`) has none.
 */
export function vulnerabilitiesScanned(report: ScanReport): boolean {
  return (
    report.database !== undefined || (report.secrets === undefined && report.misconfigurations === undefined)
  );
}
