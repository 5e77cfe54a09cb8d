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

/**
 * A secret detector (from the secret-scanning rules) applied to ENV/ARG/LABEL values: returns the
 * name of the secret kind when the value looks like a secret, e.g. `GitHub personal access token`.
 */
export type SecretDetector = (value: string) => string | undefined;

export interface RuleOptions {
  /** Registries (`ghcr.io`, `registry.example.com/team`) FROM may pull from; empty = any. */
  readonly trustedRegistries: readonly string[];
  /** The `.dockerignore` that applies to the Dockerfile; `null` when there is none, `undefined` when unknown. */
  readonly dockerignore: DockerIgnore | null | undefined;
  readonly detectSecret?: SecretDetector;
}

export interface Report {
  readonly message: string;
  /** Defaults to the instruction's range. */
  readonly range?: Range;
  /** The instruction the finding is about: used for suppressions and fingerprints. */
  readonly instruction?: Instruction;
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
