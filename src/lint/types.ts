/** Shared types of `bulwark lint`: severities, rules and findings. */
import type { Dockerfile, Instruction, Range } from './dockerfile/types.js';
import type { DockerIgnore } from './dockerignore.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export type RuleCategory = 'secrets' | 'sensitive-files' | 'root' | 'supply-chain' | 'hygiene' | 'syntax';

/** Ids of the same check in other tools, for people migrating their suppressions. */
export interface Equivalents {
  readonly hadolint?: readonly string[];
  readonly checkov?: readonly string[];
  readonly trivy?: readonly string[];
}

/** What the secret-scanning rules found: the secret's kind and the severity `bulwark secrets` gives it. */
export interface DetectedSecret {
  /** e.g. `GitHub personal access token (classic)`. */
  readonly title: string;
  readonly severity: Severity;
  /** The masked value as the secrets reports show it: preview, length, fingerprint. */
  readonly masked: string;
}

/**
 * A secret detector (from the secret-scanning rules) applied to ENV/ARG/LABEL values: what the value
 * is when it looks like a secret. With `name`, the assignment `name=value` is also tried, so the
 * generic rules (`…_TOKEN=…`, `…PASSWORD=…`) judge it as `bulwark secrets` would in a file.
 */
export type SecretDetector = (value: string, name?: string) => DetectedSecret | undefined;

/** A secret found inside a longer text (a RUN command, a heredoc body); line and column are 1-based. */
export interface DetectedSecretAt extends DetectedSecret {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The secret-scanning rules over a whole text (the `secret-in-run` rule). */
export type TextSecretDetector = (text: string) => readonly DetectedSecretAt[];

export interface RuleOptions {
  /** Registries (`ghcr.io`, `registry.example.com/team`) FROM may pull from; empty = any. */
  readonly trustedRegistries: readonly string[];
  /** The `.dockerignore` that applies to the Dockerfile; `null` when there is none, `undefined` when unknown. */
  readonly dockerignore: DockerIgnore | null | undefined;
  readonly detectSecret?: SecretDetector;
  readonly detectSecretsInText?: TextSecretDetector;
}

export interface Report {
  readonly message: string;
  /** Defaults to the instruction's range. */
  readonly range?: Range;
  /** The instruction the finding is about: used for suppressions and fingerprints. */
  readonly instruction?: Instruction;
  /**
   * Severity of what was found when it is not the rule's default: a secret recognised by the
   * secret-scanning rules keeps the severity `bulwark secrets` gives it. A config override still wins.
   */
  readonly severity?: Severity;
}

export interface RuleContext {
  readonly file: Dockerfile;
  readonly options: RuleOptions;
  /** Every registered rule id (for rules that validate suppression comments). */
  readonly ruleIds: ReadonlySet<string>;
  report(report: Report): void;
}

export interface LintRule {
  /** Stable kebab-case id, used in config, suppressions and reports. */
  readonly id: string;
  /** Bumped when the rule's logic changes (folded into cache keys). */
  readonly version: number;
  readonly title: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  readonly rationale: string;
  readonly fix: string;
  readonly equivalents?: Equivalents;
  check(ctx: RuleContext): void;
}

export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly message: string;
  /** The file as given on the command line (`-` for stdin). */
  readonly path: string;
  readonly range: Range;
  /** Stable across runs and line moves: rule, file and the instruction's text. */
  readonly fingerprint: string;
}
