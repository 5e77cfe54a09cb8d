/**
 * Applying suppressions. Findings are never removed here: a suppressed finding keeps its place in the
 * report with `suppressed` saying which rule or statement did it and why.
 *
 * Ignore rules (config) apply when the id matches the vulnerability id or any alias, the package
 * pattern (if any) matches the PURL, and a path glob (if any) matches one of the package's locations.
 * Expired rules do not apply; they are returned for the report. VEX statements apply when an id matches
 * and a product names the package (PURL pattern, or our package id); the latest statement wins
 * (timestamp, then order given). Config rules take precedence over VEX.
 */
import picomatch from 'picomatch';
import type { ExpiredSuppression, Finding, Suppression } from '../match/types.js';
import { expiryInstant, type IgnoreRule } from './config.js';
import { purlMatches } from './purl-pattern.js';
import type { VexStatement } from './vex.js';

export interface SuppressionResult {
  readonly findings: Finding[];
  readonly expired: ExpiredSuppression[];
}

const upper = (s: string): string => s.toUpperCase();

function idMatches(ids: readonly string[], f: Finding): boolean {
  const have = new Set([f.vulnerabilityId, ...f.aliases].map(upper));
  return ids.some((id) => have.has(upper(id)));
}

function ruleApplies(
  rule: IgnoreRule,
  f: Finding,
  pathMatchers: Map<IgnoreRule, (p: string) => boolean>,
): boolean {
  if (!idMatches([rule.id], f)) return false;
  if (rule.package && !purlMatches(rule.package, f.package.purl)) return false;
  if (rule.paths) {
    const m = pathMatchers.get(rule)!;
    if (!f.package.locations.some((l) => m(l.path) || m(l.path.replace(/^\//, '')))) return false;
  }
  return true;
}

function statementApplies(s: VexStatement, f: Finding): boolean {
  if (!idMatches(s.ids, f)) return false;
  if (s.products.length === 0) return true;
  return s.products.some((p) => (p.startsWith('pkg:') ? purlMatches(p, f.package.purl) : p === f.package.id));
}

/** Mark suppressed findings; `now` is injectable for tests. */
export function applySuppressions(
  findings: readonly Finding[],
  rules: readonly IgnoreRule[],
  vex: readonly VexStatement[],
  now: Date = new Date(),
): SuppressionResult {
  const expired: ExpiredSuppression[] = [];
  const active: IgnoreRule[] = [];
  for (const r of rules) {
    const until = r.expires ? expiryInstant(r.expires) : undefined;
    if (until !== undefined && now.getTime() >= until) {
      expired.push({ source: r.source, id: r.id, expires: r.expires!, reason: r.reason });
    } else {
      active.push(r);
    }
  }
  const pathMatchers = new Map(
    active.filter((r) => r.paths).map((r) => [r, picomatch(r.paths as string[], { dot: true })] as const),
  );
  const ordered = [...vex].sort(
    (a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? '') || a.order - b.order,
  );

  const out = findings.map((f): Finding => {
    const rule = active.find((r) => ruleApplies(r, f, pathMatchers));
    if (rule) {
      const s: Suppression = {
        kind: 'config',
        source: rule.source,
        reason: rule.reason,
        status: 'ignored',
        ...(rule.expires ? { expires: rule.expires } : {}),
      };
      return { ...f, suppressed: s };
    }
    const statement = ordered.filter((s) => statementApplies(s, f)).at(-1);
    if (statement && (statement.status === 'not_affected' || statement.status === 'fixed')) {
      const s: Suppression = {
        kind: 'vex',
        source: statement.source,
        reason: statement.detail ?? statement.justification ?? statement.status,
        status: statement.status,
        ...(statement.justification ? { justification: statement.justification } : {}),
      };
      return { ...f, suppressed: s };
    }
    return f;
  });
  return { findings: out, expired: expired.sort((a, b) => a.source.localeCompare(b.source)) };
}
