/**
 * Outputs of `bulwark policy` (table, JSON, SARIF; HTML is the scan report with a policy section, see
 * ../scan/html-policy.ts) and `bulwark catalog verify` (table, JSON). Pure and deterministic: the JSON is
 * the evaluation as the engine returned it (sorted there); the table prints every policy with its status
 * and the first violations of each.
 */
import type {
  CatalogVerification,
  CheckStatus,
  PolicyEvaluation,
  PolicyResult,
  PolicyStatus,
} from '../policy-types.js';
import { buildSarif, severityToSarif, type SarifResult, type SarifRule } from '../../util/sarif.js';
import { printable } from '../../sbom/format/table.js';
import { maxOf } from '../../util/arrays.js';

export const POLICY_FORMATS = ['table', 'json', 'sarif', 'html'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];
export const VERIFY_FORMATS = ['table', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export interface PolicyTableOptions {
  readonly color?: boolean;
  /** Violations listed per policy before "… and N more" (default 10). */
  readonly maxViolations?: number;
}

const LABEL: Readonly<Record<PolicyStatus | CheckStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  unknown: 'UNKNOWN',
  disabled: 'DISABLED',
  skipped: 'SKIPPED',
};
const COLOR: Readonly<Record<PolicyStatus | CheckStatus, string>> = {
  pass: '\x1b[32m',
  fail: '\x1b[31m',
  unknown: '\x1b[33m',
  disabled: '\x1b[2m',
  skipped: '\x1b[2m',
};

function status(s: PolicyStatus | CheckStatus, color: boolean): string {
  const label = LABEL[s].padEnd(8);
  return color ? `${COLOR[s]}${label}\x1b[0m` : label;
}

function violationLine(v: PolicyResult['violations'][number]): string {
  const where = [v.package, v.path, v.layer !== undefined ? `layer ${v.layer}` : '']
    .filter(Boolean)
    .join(', ');
  return `${v.id}${where ? ` (${where})` : ''}: ${v.message}`;
}

/** The policy results as text: a header with the grade, then one block per policy. */
export function renderPolicyTable(ev: PolicyEvaluation, options: PolicyTableOptions = {}): string {
  const color = options.color === true;
  const max = options.maxViolations ?? 10;
  const c = ev.counts;
  const lines = [
    `Policies: ${printable(ev.target)}`,
    `Health: ${ev.health.grade} (score ${ev.health.score}/100) — ${c.fail} failed, ${c.pass} passed, ${c.unknown} unknown, ${c.disabled} disabled`,
    '',
  ];
  const width = maxOf(
    ev.results.map((r) => r.id.length),
    0,
  );
  for (const r of ev.results) {
    lines.push(`${status(r.status, color)} ${r.id.padEnd(width)}  ${r.title}`);
    lines.push(`${' '.repeat(9 + width + 2)}${printable(r.summary)}`);
    const indent = ' '.repeat(11 + width + 2);
    for (const v of r.violations.slice(0, max)) lines.push(`${indent}- ${printable(violationLine(v))}`);
    if (r.violations.length > max)
      lines.push(`${indent}… and ${r.violations.length - max} more (-f json lists all)`);
    for (const e of r.exceptions.slice(0, max))
      lines.push(
        `${indent}~ ${printable(`${e.id}${e.package ? ` (${e.package})` : ''} excused by ${e.source}: ${e.reason}`)}`,
      );
    if (r.exceptions.length > max) lines.push(`${indent}… and ${r.exceptions.length - max} more exceptions`);
  }
  lines.push(
    '',
    ev.passed
      ? 'Result: every policy passed or could not be evaluated.'
      : `Result: ${c.fail} polic${c.fail === 1 ? 'y' : 'ies'} violated.`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderPolicyJson(ev: PolicyEvaluation): string {
  return `${JSON.stringify(ev, null, 2)}\n`;
}

/**
 * SARIF: one rule per policy (`bulwark-policy/<id>`), one result per violation (level from its severity,
 * else `error`), located at the file or package path when known, else at the target.
 */
export function renderPolicySarif(ev: PolicyEvaluation): string {
  const rules: SarifRule[] = ev.results
    .filter((r) => r.status === 'fail')
    .map((r) => ({
      id: `bulwark-policy/${r.id}`,
      name: r.id,
      shortDescription: r.title,
      fullDescription: `${r.title}: ${r.summary}`,
      defaultLevel: 'error',
      properties: { tags: ['security', 'policy'] },
    }));
  const results: SarifResult[] = [];
  for (const r of ev.results) {
    if (r.status !== 'fail') continue;
    for (const v of r.violations) {
      const sev = v.severity ? severityToSarif(v.severity) : undefined;
      results.push({
        ruleId: `bulwark-policy/${r.id}`,
        level: sev && sev.level !== 'note' ? sev.level : 'error',
        message: `${r.title}: ${violationLine(v)}`,
        uri: (v.path ?? ev.image?.name ?? ev.target).replace(/^\//, '') || ev.target,
        properties: {
          policy: r.id,
          kind: v.kind,
          ...(v.package ? { package: v.package } : {}),
          ...(v.layer !== undefined ? { layer: v.layer } : {}),
          ...(sev ? { 'security-severity': sev.securitySeverity } : {}),
        },
      });
    }
  }
  return `${JSON.stringify(buildSarif({ toolName: 'bulwark-policy', rules, results }), null, 2)}\n`;
}

/** `catalog verify` as text: the image, its catalogue entry, each point with what was found. */
export function renderVerifyTable(v: CatalogVerification, options: { color?: boolean } = {}): string {
  const color = options.color === true;
  const lines = [
    `Image: ${printable(v.image.name ?? v.target)}${v.image.digest ? ` (${v.image.digest})` : ''}`,
    v.entry
      ? `Catalogue entry: ${printable(v.entry.repository)}${v.entry.owner ? `, owner ${printable(v.entry.owner)}` : ''}${v.entry.notes ? ` — ${printable(v.entry.notes)}` : ''}`
      : 'Catalogue entry: none',
    '',
  ];
  const width = maxOf(
    v.checks.map((c) => c.id.length),
    0,
  );
  for (const c of v.checks) {
    lines.push(`${status(c.status, color)} ${c.id.padEnd(width)}  ${printable(c.detail)}`);
    for (const e of c.evidence.slice(0, 20)) lines.push(`${' '.repeat(11 + width + 2)}- ${printable(e)}`);
    if (c.evidence.length > 20)
      lines.push(`${' '.repeat(11 + width + 2)}… and ${c.evidence.length - 20} more (-f json lists all)`);
  }
  const failed = v.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').length;
  lines.push(
    '',
    v.passed
      ? 'Result: the image meets the profile.'
      : `Result: the image does not meet the profile (${failed} point${failed === 1 ? '' : 's'} failed or unknown).`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderVerifyJson(v: CatalogVerification): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}
