/** Output formats for secret findings: table, JSON and SARIF. None of them can print a secret: findings hold none. */
import { buildSarif, severityToSarif, type SarifResult, type SarifRule } from '../util/sarif.js';
import type { RedactedFinding, SecretRule, SecretScanResult } from './types.js';
import { severityRank } from './types.js';
import { maxOf } from '../util/arrays.js';

export const OUTPUT_FORMATS = ['table', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic order: path, layer, commit date, line, column, rule. */
export function sortFindings(findings: readonly RedactedFinding[]): RedactedFinding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.path, b.path) ||
      (a.layer?.index ?? -1) - (b.layer?.index ?? -1) ||
      cmp(a.commit?.date ?? '', b.commit?.date ?? '') ||
      cmp(a.commit?.id ?? '', b.commit?.id ?? '') ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.ruleId, b.ruleId),
  );
}

export function describeSecret(f: RedactedFinding): string {
  return `${f.secret.preview} (${f.secret.length} chars, fp ${f.secret.fingerprint})`;
}

export function describeLocation(f: RedactedFinding): string {
  let loc = f.path.startsWith('config:') ? f.path : `${f.path}:${f.line}:${f.column}`;
  if (f.commit) loc += ` @ ${f.commit.id.slice(0, 12)} (${f.commit.author}, ${f.commit.date})`;
  // People count layers from 1 (as `docker history` lists them bottom-up); LayerInfo.index is 0-based.
  if (f.layer) {
    loc += ` [layer ${f.layer.index + 1}`;
    if (f.status === 'deleted' && f.removedIn) loc += `, deleted in layer ${f.removedIn.index + 1}`;
    if (f.status === 'overwritten' && f.removedIn) loc += `, overwritten in layer ${f.removedIn.index + 1}`;
    loc += ']';
  }
  return loc;
}

export function renderTable(result: SecretScanResult, newFindings: readonly RedactedFinding[]): string {
  const rows = sortFindings(newFindings).map((f) => [
    f.severity.toUpperCase(),
    f.ruleId,
    describeLocation(f),
    describeSecret(f),
  ]);
  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push('No secrets found.');
  } else {
    const header = ['SEVERITY', 'RULE', 'LOCATION', 'SECRET'];
    const widths = header.map((h, i) =>
      Math.min(
        80,
        maxOf(
          rows.map((r) => (r[i] as string).length),
          h.length,
        ),
      ),
    );
    const fmt = (r: string[]): string =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
        .join('  ')
        .trimEnd();
    lines.push(fmt(header), ...rows.map(fmt));
  }
  const counts = new Map<string, number>();
  for (const f of newFindings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = [...counts.entries()]
    .sort(([a], [b]) => severityRank(b as never) - severityRank(a as never))
    .map(([s, n]) => `${n} ${s}`);
  const suppressed = result.findings.length - newFindings.length;
  lines.push(
    '',
    `${newFindings.length} finding${newFindings.length === 1 ? '' : 's'}${summary.length ? ` (${summary.join(', ')})` : ''}` +
      `${suppressed > 0 ? `, ${suppressed} in baseline` : ''}; ${result.stats.files} files, ${result.stats.bytes} bytes scanned` +
      `${result.stats.skippedBinary ? `, ${result.stats.skippedBinary} binary skipped` : ''}` +
      `${result.stats.skippedGenerated ? `, ${result.stats.skippedGenerated} generated skipped` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(result: SecretScanResult, newFindings: readonly RedactedFinding[]): string {
  return `${JSON.stringify(
    {
      findings: sortFindings(newFindings),
      baselined: result.findings.length - newFindings.length,
      problems: [...result.problems].sort((a, b) => cmp(a.path, b.path) || cmp(a.reason, b.reason)),
      stats: result.stats,
    },
    null,
    2,
  )}\n`;
}

export function renderSarif(newFindings: readonly RedactedFinding[], rules: readonly SecretRule[]): string {
  const used = new Set(newFindings.map((f) => f.ruleId));
  const sarifRules: SarifRule[] = rules
    .filter((r) => used.has(r.id))
    .map((r) => {
      const s = severityToSarif(r.severity);
      return {
        id: r.id,
        name: r.id,
        shortDescription: r.title,
        fullDescription: `${r.title}. Rotate the credential, then remove it from the code and its history.`,
        defaultLevel: s.level,
        properties: { 'security-severity': s.securitySeverity, tags: ['security', 'secret', r.family] },
      };
    });
  for (const id of used) {
    if (!sarifRules.some((r) => r.id === id)) {
      const f = newFindings.find((x) => x.ruleId === id) as RedactedFinding;
      const s = severityToSarif(f.severity);
      sarifRules.push({
        id,
        shortDescription: f.title,
        defaultLevel: s.level,
        properties: { 'security-severity': s.securitySeverity, tags: ['security', 'secret'] },
      });
    }
  }
  const results: SarifResult[] = newFindings.map((f) => ({
    ruleId: f.ruleId,
    level: severityToSarif(f.severity).level,
    message: `${f.title}: ${describeSecret(f)}${f.status && f.status !== 'present' && f.removedIn ? ` (${f.status} in layer ${f.removedIn.index + 1})` : ''}`,
    uri: f.path.replace(/^\/+/, ''),
    ...(f.path.startsWith('config:')
      ? {}
      : { region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } }),
    fingerprint: f.secret.fingerprint,
    properties: {
      ...(f.commit ? { commit: f.commit.id, author: f.commit.author, date: f.commit.date } : {}),
      ...(f.layer ? { layer: f.layer.index, diffId: f.layer.diffId } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.removedIn ? { removedInLayer: f.removedIn.index } : {}),
    },
  }));
  return `${JSON.stringify(buildSarif({ toolName: 'bulwark-secrets', rules: sarifRules, results }), null, 2)}\n`;
}
