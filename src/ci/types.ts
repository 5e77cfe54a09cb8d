import type { ScanReport } from '../report/types.js';

/**
 * `bulwark ci`: one run of the configured checks (Dockerfile lint, secrets, dependency scanning, image
 * scanning, policies) over a repository and its built images, merged into one {@link CiReport} whose
 * findings carry stable fingerprints so a baseline can tell what a change introduced.
 */

/** The one severity scale of the combined report (lint `info` stays `info`). */
export const CI_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type CiSeverity = (typeof CI_SEVERITIES)[number];

export function ciSeverityRank(s: CiSeverity): number {
  return CI_SEVERITIES.indexOf(s);
}

/** Kinds of finding: what the fingerprint is made of depends on it (docs/ci.md#fingerprints). */
export type CiFindingKind = 'misconfiguration' | 'secret' | 'vulnerability' | 'policy';

/** One finding of any check, in the shape every output (table, SARIF, Markdown, JSON, GitLab) reads. */
export interface CiFinding {
  /** The check that found it (`lint`, `secrets`, `dependencies`, `image`, `policy`). */
  readonly check: string;
  readonly kind: CiFindingKind;
  /** Rule id (lint, secrets, image checks, policies) or vulnerability id (CVE-…, GHSA-…). */
  readonly ruleId: string;
  readonly title: string;
  readonly severity: CiSeverity;
  /** Never holds a secret in full. */
  readonly message: string;
  /** File relative to the repository root (forward slashes), or the path inside an image. */
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** The image target the finding is in (image checks). */
  readonly image?: string;
  /** Vulnerabilities: the package. */
  readonly package?: {
    readonly name: string;
    readonly version: string;
    readonly type: string;
    readonly purl: string;
  };
  readonly fixedVersion?: string;
  /** Secrets found in the change's commits: the commit that added it. */
  readonly commit?: string;
  /** Stable identity across runs, line moves and version bumps (hex, 32 characters). */
  readonly fingerprint: string;
  /** `new` unless the baseline holds the fingerprint (`existing`); with no baseline every finding is new. */
  status: 'new' | 'existing';
}

/** What a check needs from the run. */
export interface CiCheckContext {
  /** The repository root (or the folder `bulwark ci` runs on). */
  readonly root: string;
  /** Where relative `--image` paths, `--db` and `--config` are resolved (the invocation's folder). */
  readonly cwd: string;
  /** Globs (relative to the root) left out of the repository checks. */
  readonly exclude?: readonly string[];
  /** `--image` targets. */
  readonly images: readonly string[];
  /** The revision the change starts from (exclusive): its commits are `since..HEAD`. */
  readonly since?: string;
  readonly configFile?: string;
  readonly db?: string;
  readonly offline?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly onWarning: (message: string) => void;
  /** The findings of the checks that ran before this one. */
  readonly findings: readonly CiFinding[];
  /**
   * Scan reports of the images (filled by the image check, with its secret and configuration
   * findings): the policy check evaluates the policies over them.
   */
  readonly scanReports: ScanReport[];
}

/** What one check produced. `skipped` says why it did not run (nothing to check, not configured). */
export interface CiCheckResult {
  readonly findings: readonly CiFinding[];
  /** e.g. `3 Dockerfiles`, `12 commits, 240 files`. */
  readonly scope: string;
  readonly skipped?: string;
}

/** One entry of the check list: adding a check is one more entry in CHECKS (src/ci/checks.ts). */
export interface CiCheck {
  readonly name: string;
  /** SARIF tool name of the check's run. */
  readonly tool: string;
  readonly description: string;
  run(ctx: CiCheckContext): Promise<CiCheckResult>;
}

/** A check's line in the report. */
export interface CiCheckSummary {
  readonly name: string;
  readonly tool: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'error';
  readonly scope: string;
  /** Why it was skipped, or the error (one line). */
  readonly detail?: string;
  /** Exit code of the error (3 input, 4 database, 5 network, 70 internal). */
  readonly errorExitCode?: number;
  readonly findings: number;
  readonly newFindings: number;
  readonly ms: number;
}

/** The CI the run detected from its environment. */
export interface CiContext {
  /** `github`, `gitlab`, `jenkins`, `azure`, `bitbucket`, `circleci`, `generic` or `local`. */
  readonly provider: CiProvider;
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  /** Pull/merge request number. */
  readonly pullRequest?: string;
  /** The branch or commit a pull request merges into, or the previous commit of a push. */
  readonly baseRef?: string;
  /** The URL of the build (for the report's footer). */
  readonly buildUrl?: string;
}

export type CiProvider =
  'github' | 'gitlab' | 'jenkins' | 'azure' | 'bitbucket' | 'circleci' | 'generic' | 'local';

/** The combined report (`bulwark ci -f json`, schema `bulwark-ci/v1`, docs/ci.md). */
export interface CiReport {
  readonly schema: 'bulwark-ci/v1';
  readonly tool: { readonly name: 'bulwark'; readonly version: string };
  readonly ci: CiContext;
  /** The commit range the secrets check read (`since..HEAD`), when there was one. */
  readonly range?: { readonly since: string; readonly head: string };
  /** Where the baseline came from, when one was used. */
  readonly baseline?: { readonly source: string; readonly findings: number };
  readonly failOn: CiSeverity;
  readonly checks: readonly CiCheckSummary[];
  /** Sorted: new before existing, then severity (highest first), check, path, line, rule. */
  readonly findings: readonly CiFinding[];
  /** `passed`, `failed` (a new finding at or above failOn) or `error` (a check could not run). */
  readonly result: 'passed' | 'failed' | 'error';
}
