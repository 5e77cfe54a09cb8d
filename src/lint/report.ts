/** Lint output formats: a table for people, versioned JSON for scripts, SARIF 2.1.0 for code scanning. */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSarif, severityToSarif, type SarifRule } from '../util/sarif.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { LintResult } from './engine.js';
import { IMAGE_RULE_LIST } from './image/rules.js';
import type { ImageFinding, ImageLocation } from './image/types.js';
import { RULES } from './rules/index.js';
import { SEVERITIES, severityRank, type Finding, type LintRule, type Severity } from './types.js';
import { maxOf } from '../util/arrays.js';

/** Bumped on any incompatible change of the JSON output (documented in docs/lint.md). */
export const LINT_JSON_VERSION = 1;

export const FORMATS = ['table', 'json', 'sarif'] as const;
export type LintFormat = (typeof FORMATS)[number];

export interface FileError {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** The built-image checks of one image target (`bulwark lint archive://image.tar`). */
export interface ImageLintResult {
  /** The target as given on the command line. */
  readonly target: string;
  /** Sorted by location, rule, message; messages never hold a secret in full. */
  readonly findings: readonly ImageFinding[];
}

export interface LintRun {
  readonly results: readonly LintResult[];
  readonly errors: readonly FileError[];
  /** Image targets (absent or empty when only Dockerfiles were linted). */
  readonly images?: readonly ImageLintResult[];
}

const allFindings = (run: LintRun): Finding[] => run.results.flatMap((r) => r.findings);
const allImageFindings = (run: LintRun): ImageFinding[] => (run.images ?? []).flatMap((i) => i.findings);

/** `config User`, `config Env GITHUB_TOKEN`, `history #4`, `/app/id_rsa`. */
export function imageLocationText(l: ImageLocation): string {
  if (l.kind === 'config') return `config ${l.field}${l.key !== undefined ? ` ${l.key}` : ''}`;
  if (l.kind === 'history') return `history #${l.index}`;
  return l.path;
}

export function summarize(
  findings: readonly { readonly severity: Severity }[],
): Record<Severity, number> & { total: number } {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return { ...counts, total: findings.length };
}

export function formatTable(run: LintRun): string {
  const findings = allFindings(run);
  const rows = findings.map((f) => [
    `${f.path}:${f.range.start.line}:${f.range.start.column}`,
    f.severity.toUpperCase(),
    f.ruleId,
    f.message,
  ]);
  const counted = [...findings, ...allImageFindings(run)];
  const table = (rows: string[][]): string[] => {
    const widths = [0, 1, 2].map((k) =>
      maxOf(
        rows.map((r) => r[k]!.length),
        0,
      ),
    );
    return rows.map(
      (r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`,
    );
  };
  const lines = table(rows);
  // One block per image, under its target, locations inside it (config field, history entry, path).
  for (const image of run.images ?? []) {
    if (image.findings.length === 0) continue;
    if (lines.length) lines.push('');
    lines.push(`${image.target}:`);
    lines.push(
      ...table(
        image.findings.map((f) => [
          `  ${imageLocationText(f.location)}`,
          f.severity.toUpperCase(),
          f.ruleId,
          f.message,
        ]),
      ),
    );
  }
  const files = run.results.length;
  const images = run.images?.length ?? 0;
  const suppressed = run.results.reduce((n, r) => n + r.suppressed, 0);
  const s = summarize(counted);
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((k) => s[k] > 0)
    .map((k) => `${k}: ${s[k]}`)
    .join(', ');
  const scope = [
    files > 0 || images === 0 ? `${files} file${files === 1 ? '' : 's'}` : '',
    images > 0 ? `${images} image${images === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const tail = [
    counted.length === 0
      ? `No findings in ${scope}`
      : `${counted.length} finding${counted.length === 1 ? '' : 's'} (${bySeverity}) in ${scope}`,
    suppressed ? `${suppressed} suppressed` : '',
    run.errors.length ? `${run.errors.length} file${run.errors.length === 1 ? '' : 's'} not readable` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${lines.length ? `${lines.join('\n')}\n\n` : ''}${tail}.\n`;
}

export function formatJson(run: LintRun): string {
  const findings = allFindings(run);
  const doc = {
    schemaVersion: LINT_JSON_VERSION,
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    files: run.results.map((r) => ({ path: r.path, findings: r.findings.length, suppressed: r.suppressed })),
    errors: run.errors,
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      title: f.title,
      severity: f.severity,
      message: f.message,
      path: f.path,
      line: f.range.start.line,
      column: f.range.start.column,
      endLine: f.range.end.line,
      endColumn: f.range.end.column,
      fingerprint: f.fingerprint,
    })),
    // Image targets: additive within schemaVersion 1, present only when an image was linted.
    ...(run.images?.length
      ? {
          images: run.images.map((i) => ({
            target: i.target,
            findings: i.findings.map((f) => ({
              ruleId: f.ruleId,
              title: f.title,
              severity: f.severity,
              message: f.message,
              location: { ...f.location },
            })),
          })),
        }
      : {}),
    summary: summarize([...findings, ...allImageFindings(run)]),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The identifying fields every SARIF rule starts with, Dockerfile rule or built-image check alike: the
 * kebab-case id doubles as a PascalCase name, title and rationale are the short and full descriptions.
 */
function sarifRuleHead(rule: {
  readonly id: string;
  readonly title: string;
  readonly rationale: string;
}): Pick<SarifRule, 'id' | 'name' | 'shortDescription' | 'fullDescription'> {
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: rule.title,
    fullDescription: rule.rationale,
  };
}

export function sarifRule(rule: LintRule): SarifRule {
  const eq = rule.equivalents;
  const equivalents = [
    eq?.hadolint?.length ? `Hadolint ${eq.hadolint.join(', ')}` : '',
    eq?.checkov?.length ? `Checkov ${eq.checkov.join(', ')}` : '',
    eq?.trivy?.length ? `Trivy ${eq.trivy.join(', ')}` : '',
  ].filter(Boolean);
  const { level, securitySeverity } = severityToSarif(rule.severity);
  return {
    ...sarifRuleHead(rule),
    helpMarkdown: `${rule.rationale}\n\n**Fix:** ${rule.fix}${equivalents.length ? `\n\n**Equivalent checks:** ${equivalents.join('; ')}` : ''}`,
    defaultLevel: level,
    properties: {
      'security-severity': securitySeverity,
      tags: ['security', 'dockerfile', rule.category],
      precision: 'high',
    },
  };
}

/** A file path as a SARIF artifact URI: relative paths stay relative (forward slashes), absolute become file: URIs. */
export function artifactUri(path: string): string {
  if (path === '-') return 'stdin';
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** SARIF rule of a built-image check. */
function imageSarifRule(rule: (typeof IMAGE_RULE_LIST)[number]): SarifRule {
  const { level, securitySeverity } = severityToSarif(rule.severity);
  return {
    ...sarifRuleHead(rule),
    helpMarkdown: `${rule.rationale}\n\n**Fix:** ${rule.fix}`,
    defaultLevel: level,
    properties: { 'security-severity': securitySeverity, tags: ['security', 'image'], precision: 'high' },
  };
}

/** Image findings in SARIF: files inside the image by their path, config and history at the image itself. */
function imageSarifResults(run: LintRun) {
  return (run.images ?? []).flatMap((image) =>
    image.findings.map((f) => {
      const where = imageLocationText(f.location);
      const inFile = f.location.kind === 'file';
      return {
        ruleId: f.ruleId,
        level: severityToSarif(f.severity).level,
        message: inFile ? f.message : `${f.message} (${where})`,
        uri: inFile
          ? where.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/') || 'image'
          : imageUri(image.target),
        fingerprint: `${f.ruleId}:${where}`,
        properties: { severity: f.severity, image: image.target },
      };
    }),
  );
}

/** A target as an artifact URI: its path for local images, else the reference, percent-encoded. */
function imageUri(target: string): string {
  const rest = target.replace(/^[a-z][a-z-]*:\/\//, '');
  return rest.split('/').map(encodeURIComponent).join('/') || 'image';
}

export function formatSarif(run: LintRun): string {
  const findings = allFindings(run);
  const log = buildSarif({
    toolName: 'bulwark-lint',
    rules: [...RULES.map(sarifRule), ...(run.images?.length ? IMAGE_RULE_LIST.map(imageSarifRule) : [])],
    results: [
      ...imageSarifResults(run),
      ...findings.map((f) => ({
        ruleId: f.ruleId,
        level: severityToSarif(f.severity).level,
        message: f.message,
        uri: artifactUri(f.path),
        region: {
          startLine: f.range.start.line,
          startColumn: f.range.start.column,
          endLine: f.range.end.line,
          endColumn: Math.max(
            f.range.end.column,
            f.range.end.line === f.range.start.line ? f.range.start.column + 1 : 1,
          ),
        },
        fingerprint: f.fingerprint,
        properties: { severity: f.severity },
      })),
    ],
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}

export function format(run: LintRun, fmt: LintFormat): string {
  return fmt === 'json' ? formatJson(run) : fmt === 'sarif' ? formatSarif(run) : formatTable(run);
}

/** True when some finding is at or above `threshold`. */
export function crosses(run: LintRun, threshold: Severity): boolean {
  return [...allFindings(run), ...allImageFindings(run)].some(
    (f) => severityRank(f.severity) >= severityRank(threshold),
  );
}
