/** Run the Dockerfile rules over one file: parse, check, apply config and suppressions, sort. */
import { createHash } from 'node:crypto';
import { parseDockerfile } from './dockerfile/parser.js';
import type { Dockerfile, Range } from './dockerfile/types.js';
import type { DockerIgnore } from './dockerignore.js';
import { DEFAULT_LINT_CONFIG, type LintConfig } from './config.js';
import { RULES } from './rules/index.js';
import { suppressionsByInstruction } from './suppression.js';
import type { Finding, LintRule, Report, SecretDetector, TextSecretDetector } from './types.js';

export interface LintOptions {
  /** The file name used in findings (`-` for stdin). */
  readonly path: string;
  readonly config?: LintConfig;
  /** `.dockerignore` next to the Dockerfile: `null` = none, `undefined` = unknown (skip the context rule). */
  readonly dockerignore?: DockerIgnore | null;
  readonly detectSecret?: SecretDetector;
  readonly detectSecretsInText?: TextSecretDetector;
  /** Defaults to every registered rule. */
  readonly rules?: readonly LintRule[];
}

export interface LintResult {
  readonly path: string;
  readonly findings: readonly Finding[];
  /** Findings hidden by `# bulwark-ignore:` comments. */
  readonly suppressed: number;
  readonly file: Dockerfile;
}

export function lintDockerfile(source: string, options: LintOptions): LintResult {
  const config = options.config ?? DEFAULT_LINT_CONFIG;
  const rules = options.rules ?? RULES;
  const file = parseDockerfile(source);
  const suppressions = suppressionsByInstruction(file);
  const ruleIds = new Set(RULES.map((r) => r.id));
  const instructionStarts = file.instructions.map((i) => i.range);
  const findings: Finding[] = [];
  let suppressed = 0;
  const seen = new Set<string>();
  const fingerprints = new Map<string, number>();

  for (const rule of rules) {
    const override = config.rules[rule.id];
    if (override === 'off') continue;
    const severity = override ?? rule.severity;
    const report = (r: Report): void => {
      const range = r.range ??
        r.instruction?.range ?? { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
      const anchor = r.instruction?.range ?? containing(instructionStarts, range);
      if (anchor && suppressions.get(anchor.start.line)?.some((s) => s.ruleIds.includes(rule.id))) {
        suppressed++;
        return;
      }
      const key = `${rule.id}\0${range.start.line}:${range.start.column}\0${r.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      const basis = `${rule.id}\0${options.path}\0${r.instruction ? `${r.instruction.keyword} ${r.instruction.text}` : ''}\0${r.message}`;
      let fingerprint = createHash('sha256').update(basis).digest('hex').slice(0, 32);
      const count = (fingerprints.get(fingerprint) ?? 0) + 1;
      fingerprints.set(fingerprint, count);
      if (count > 1) fingerprint = `${fingerprint}:${count}`;
      findings.push({
        ruleId: rule.id,
        title: rule.title,
        severity: override ?? r.severity ?? severity,
        message: r.message,
        path: options.path,
        range,
        fingerprint,
      });
    };
    rule.check({
      file,
      ruleIds,
      options: {
        trustedRegistries: config.trustedRegistries,
        dockerignore: options.dockerignore,
        ...(options.detectSecret ? { detectSecret: options.detectSecret } : {}),
        ...(options.detectSecretsInText ? { detectSecretsInText: options.detectSecretsInText } : {}),
      },
      report,
    });
  }
  findings.sort(compareFindings);
  return { path: options.path, findings, suppressed, file };
}

/** The instruction range containing a position (binary search over start lines). */
function containing(ranges: readonly Range[], range: Range): Range | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  let found: Range | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.start.line <= range.start.line) {
      found = ranges[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found && found.end.line >= range.start.line ? found : undefined;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.path, b.path) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.message, b.message)
  );
}
