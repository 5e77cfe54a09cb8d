/**
 * The outputs of `bulwark ci`: a terminal table, Markdown (a PR comment, the GitHub job summary),
 * the JSON report, SARIF 2.1.0 with one run per check, and GitHub workflow-command annotations.
 * Findings never hold a secret in full, so none of these can print one.
 */
import { buildSarif, severityToSarif, type SarifResult, type SarifRule } from '../util/sarif.js';
import { isFailing } from './run.js';
import type { CiFinding, CiReport } from './types.js';

export const CI_FORMATS = ['table', 'json', 'sarif', 'markdown'] as const;
export type CiFormat = (typeof CI_FORMATS)[number];

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** `Dockerfile:3`, `image.tar: /etc/shadow`, `package-lock.json` — where a person looks. */
export function whereOf(f: CiFinding): string {
  const file = f.path !== undefined ? `${f.path}${f.line !== undefined ? `:${f.line}` : ''}` : '';
  if (f.image !== undefined) return file ? `${f.image} ${file}` : f.image;
  return file || '-';
}

function headline(report: CiReport): string {
  const fresh = report.findings.filter((f) => f.status === 'new');
  const failing = fresh.filter((f) => isFailing(f, report.failOn));
  const existing = report.findings.length - fresh.length;
  const errors = report.checks.filter((c) => c.status === 'error').map((c) => c.name);
  const parts = [
    plural(fresh.length, 'new finding'),
    `${failing.length} at or above ${report.failOn}`,
    ...(existing ? [`${existing} pre-existing`] : []),
  ];
  const verdict =
    report.result === 'error'
      ? `error (${errors.join(', ')} could not run)`
      : report.result === 'failed'
        ? 'failed'
        : 'passed';
  return `${verdict}: ${parts.join(', ')}`;
}

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.min(60, Math.max(widths[i] ?? 0, c.length))));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderCiTable(report: CiReport): string {
  const lines: string[] = [];
  lines.push(
    ...pad([
      ['CHECK', 'STATUS', 'FINDINGS', 'NEW', 'SCOPE'],
      ...report.checks.map((c) => [
        c.name,
        c.status.toUpperCase(),
        String(c.findings),
        String(c.newFindings),
        c.detail !== undefined ? `${c.scope ? `${c.scope}; ` : ''}${c.detail}` : c.scope,
      ]),
    ]),
  );
  if (report.findings.length) {
    lines.push('');
    lines.push(
      ...pad([
        ['', 'SEVERITY', 'CHECK', 'RULE', 'WHERE', 'MESSAGE'],
        ...report.findings.map((f) => [
          f.status === 'new' ? 'NEW' : 'existing',
          f.severity.toUpperCase(),
          f.check,
          f.ruleId,
          whereOf(f),
          f.message,
        ]),
      ]),
    );
  }
  const base = report.baseline
    ? `; baseline ${report.baseline.source} (${plural(report.baseline.findings, 'finding')})`
    : '';
  const range = report.range
    ? `; commits ${report.range.since.slice(0, 12)}..${report.range.head.slice(0, 12)}`
    : '';
  lines.push('', `bulwark ci ${headline(report)}${base}${range}.`);
  return `${lines.join('\n')}\n`;
}

export function renderCiJson(report: CiReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A Markdown table cell: no pipes, no line breaks, no HTML. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const MAX_MARKDOWN_ROWS = 100;
/** Characters of one findings table: two tables and the rest stay under GitHub's 65,536-character comment. */
const MAX_TABLE_CHARS = 28_000;
const MAX_CELL_CHARS = 200;

const clip = (text: string): string =>
  text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;

function findingRows(findings: readonly CiFinding[]): string[] {
  const out = ['| severity | check | rule | where | message |', '| --- | --- | --- | --- | --- |'];
  let size = 0;
  let shown = 0;
  for (const f of findings) {
    const row = `| ${f.severity} | ${cell(f.check)} | \`${cell(clip(f.ruleId))}\` | ${cell(clip(whereOf(f)))} | ${cell(clip(f.message))} |`;
    if (shown >= MAX_MARKDOWN_ROWS || size + row.length > MAX_TABLE_CHARS) break;
    out.push(row);
    size += row.length + 1;
    shown++;
  }
  if (findings.length > shown)
    out.push('', `… and ${findings.length - shown} more (see the SARIF or JSON report).`);
  return out;
}

/** Markdown for a PR/MR comment and the GitHub job summary; under GitHub's 65,536-character comment limit. */
export function renderCiMarkdown(report: CiReport): string {
  const icon = report.result === 'passed' ? '✅' : report.result === 'failed' ? '❌' : '⚠️';
  const fresh = report.findings.filter((f) => f.status === 'new');
  const existing = report.findings.filter((f) => f.status === 'existing');
  const lines = [
    '<!-- bulwark-ci -->',
    `## ${icon} Bulwark: ${headline(report)}`,
    '',
    '| check | status | findings | new | scope |',
    '| --- | --- | --- | --- | --- |',
    ...report.checks.map(
      (c) =>
        `| ${c.name} | ${c.status} | ${c.findings} | ${c.newFindings} | ${cell(c.detail !== undefined ? `${c.scope ? `${c.scope}; ` : ''}${c.detail}` : c.scope)} |`,
    ),
    '',
  ];
  if (fresh.length) lines.push(`### New findings (${fresh.length})`, '', ...findingRows(fresh), '');
  else lines.push('No new findings.', '');
  if (existing.length)
    lines.push(
      '<details>',
      `<summary>Pre-existing findings (${existing.length}, in the baseline: they do not fail this change)</summary>`,
      '',
      ...findingRows(existing),
      '',
      '</details>',
      '',
    );
  const context = [
    report.ci.provider !== 'local' ? `CI: ${report.ci.provider}` : '',
    report.ci.commit ? `commit ${report.ci.commit.slice(0, 12)}` : '',
    report.range ? `commits ${report.range.since.slice(0, 12)}..${report.range.head.slice(0, 12)}` : '',
    report.baseline ? `baseline ${cell(report.baseline.source)}` : 'no baseline',
    `fails on new findings at or above ${report.failOn}`,
  ].filter(Boolean);
  lines.push(`<sub>${context.join(' · ')} · bulwark ${report.tool.version}</sub>`, '');
  return lines.join('\n');
}

/** An artifact URI for a finding: the file, else the image reference. */
function uriOf(f: CiFinding): string {
  const raw = f.path ?? f.image?.replace(/^[a-z][a-z-]*:\/\//, '') ?? 'repository';
  return raw.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/') || 'repository';
}

/** SARIF 2.1.0: one run per check that ran, new findings `baselineState: new`, pre-existing `unchanged`. */
export function renderCiSarif(report: CiReport): string {
  const runs = report.checks
    .filter((c) => c.status !== 'error' && c.status !== 'skipped')
    .map((c) => {
      const mine = report.findings.filter((f) => f.check === c.name);
      const rules = new Map<string, SarifRule>();
      for (const f of mine) {
        if (rules.has(f.ruleId)) continue;
        const s = severityToSarif(f.severity);
        rules.set(f.ruleId, {
          id: f.ruleId,
          shortDescription: f.title,
          defaultLevel: s.level,
          properties: { 'security-severity': s.securitySeverity, tags: ['security', f.check, f.kind] },
        });
      }
      const results: SarifResult[] = mine.map((f) => ({
        ruleId: f.ruleId,
        level: severityToSarif(f.severity).level,
        message: f.image !== undefined ? `${f.message} [${f.image}]` : f.message,
        uri: uriOf(f),
        ...(f.line !== undefined
          ? {
              region: {
                startLine: f.line,
                ...(f.column !== undefined ? { startColumn: f.column } : {}),
                ...(f.endLine !== undefined ? { endLine: f.endLine } : {}),
                // SARIF wants the end after the start: an empty range keeps only its start.
                ...(f.endColumn !== undefined &&
                ((f.endLine ?? f.line) > f.line || f.endColumn > (f.column ?? 0))
                  ? { endColumn: f.endColumn }
                  : {}),
              },
            }
          : {}),
        fingerprint: f.fingerprint,
        properties: {
          severity: f.severity,
          status: f.status,
          ...(f.image !== undefined ? { image: f.image } : {}),
          ...(f.package ? { package: f.package.purl } : {}),
          ...(f.commit ? { commit: f.commit } : {}),
        },
      }));
      const run = (
        buildSarif({ toolName: c.tool, rules: [...rules.values()], results }).runs as Record<
          string,
          unknown
        >[]
      )[0]!;
      const sarifResults = run.results as Record<string, unknown>[];
      for (const r of sarifResults) {
        const props = r.properties as { status: string };
        r.baselineState = report.baseline ? (props.status === 'new' ? 'new' : 'unchanged') : 'new';
        r.partialFingerprints = {
          'bulwarkFingerprint/v1': (r.partialFingerprints as Record<string, string>).primaryLocationLineHash,
        };
      }
      return run;
    });
  return `${JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs }, null, 2)}\n`;
}

/** Workflow-command data: `%`, CR and LF escaped. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values: also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const MAX_ANNOTATIONS = 50;

/**
 * GitHub workflow commands for the new findings: `::error` for those that fail the run, `::warning`
 * for the others, at the file and line (image findings without a file: no location).
 */
export function githubAnnotations(report: CiReport): string {
  const fresh = report.findings.filter((f) => f.status === 'new');
  const lines = fresh.slice(0, MAX_ANNOTATIONS).map((f) => {
    const level = isFailing(f, report.failOn) ? 'error' : 'warning';
    const props = [
      ...(f.path !== undefined && f.image === undefined ? [`file=${escapeProperty(f.path)}`] : []),
      ...(f.line !== undefined && f.image === undefined ? [`line=${f.line}`] : []),
      ...(f.endLine !== undefined && f.image === undefined ? [`endLine=${f.endLine}`] : []),
      `title=${escapeProperty(`${f.check}: ${f.ruleId} (${f.severity})`)}`,
    ];
    return `::${level} ${props.join(',')}::${escapeData(`${f.message}${f.image !== undefined ? ` [${whereOf(f)}]` : ''}`)}`;
  });
  if (fresh.length > MAX_ANNOTATIONS)
    lines.push(
      `::notice::${escapeData(`${fresh.length - MAX_ANNOTATIONS} more new findings: see the job summary`)}`,
    );
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function renderCi(report: CiReport, format: CiFormat): string {
  switch (format) {
    case 'json':
      return renderCiJson(report);
    case 'sarif':
      return renderCiSarif(report);
    case 'markdown':
      return renderCiMarkdown(report);
    default:
      return renderCiTable(report);
  }
}
