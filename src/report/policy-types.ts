/**
 * The results of the policy engine (`bulwark policy`, `bulwark ci`, the server) and of the hardened-profile
 * check (`bulwark catalog verify`): what every output format renders. The types live here, beside the
 * scan report, so the report formats can render them without knowing the engine (src/policy/rules/).
 */

/** The policies of the engine, in the order they are evaluated and printed. */
export const POLICY_IDS = [
  'fixable-critical-high',
  'kev',
  'epss',
  'non-root-user',
  'approved-base-image',
  'up-to-date-base-image',
  'copyleft-licenses',
  'no-secrets',
  'supply-chain-attestations',
  'dockerfile-lint',
] as const;
export type PolicyId = (typeof POLICY_IDS)[number];

/**
 * `pass`: evaluated, nothing violates it; `fail`: at least one violation; `unknown`: could not be
 * evaluated (the data it needs is missing, e.g. no base image detected, secrets not scanned, not a
 * registry image); `disabled`: turned off in `.bulwark.yaml`.
 */
export type PolicyStatus = 'pass' | 'fail' | 'unknown' | 'disabled';

/** One thing that violates a policy (a vulnerability, a package, a secret, a setting of the image). */
export interface PolicyViolation {
  readonly kind: 'vulnerability' | 'package' | 'secret' | 'misconfiguration' | 'image' | 'base-image';
  /** Vulnerability id, package name, secret rule id, lint rule id, or the image setting. */
  readonly id: string;
  /** One line saying what is wrong, never a secret value. */
  readonly message: string;
  readonly severity?: string;
  /** `name@version` of the package, when the violation is about one. */
  readonly package?: string;
  readonly path?: string;
  readonly layer?: number;
}

/** A violation an exception (ignore rule, VEX statement, register acceptance) excused, and why. */
export interface PolicyException {
  readonly id: string;
  readonly package?: string;
  readonly source: string;
  readonly reason: string;
}

export interface PolicyResult {
  readonly id: PolicyId;
  readonly title: string;
  readonly status: PolicyStatus;
  /** One line: why this status (the threshold applied, what was missing, how many violations). */
  readonly summary: string;
  /** Sorted; empty unless `fail`. */
  readonly violations: readonly PolicyViolation[];
  /** Violations an exception excused (they do not count), sorted. */
  readonly exceptions: readonly PolicyException[];
}

export type HealthGrade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

/** The health grade of an image (formula in docs/policy.md). */
export interface Health {
  readonly grade: HealthGrade;
  /** 0–100. */
  readonly score: number;
}

/** The result of {@link evaluatePolicies}: every policy's status, the grade, and whether any failed. */
export interface PolicyEvaluation {
  readonly schema: 'bulwark-policy/v1';
  /** The target as given, or the stored image's reference. */
  readonly target: string;
  /** The image reference and manifest digest, for image targets. */
  readonly image?: { readonly name?: string; readonly digest?: string };
  readonly evaluatedAt: string;
  /** In {@link POLICY_IDS} order. */
  readonly results: readonly PolicyResult[];
  readonly health: Health;
  /** True when no policy has status `fail`. */
  readonly passed: boolean;
  readonly counts: {
    readonly pass: number;
    readonly fail: number;
    readonly unknown: number;
    readonly disabled: number;
  };
}

/** The points of the hardened profile `bulwark catalog verify` checks, in print order. */
export const HARDENED_CHECK_IDS = [
  'approved',
  'non-root-user',
  'no-shell',
  'no-package-manager',
  'no-setuid',
  'no-fixable-critical-high',
  'sbom-attestation',
  'provenance-attestation',
] as const;
export type HardenedCheckId = (typeof HARDENED_CHECK_IDS)[number];

/** `skipped`: the profile does not require this point. */
export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'skipped';

export interface HardenedCheck {
  readonly id: HardenedCheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** One line: what was found (e.g. `user "root"`, `/bin/sh, /bin/bash`, `2 setuid files`). */
  readonly detail: string;
  /** The offending paths, vulnerabilities or tags, sorted (bounded). */
  readonly evidence: readonly string[];
}

/** The result of `bulwark catalog verify`. */
export interface CatalogVerification {
  readonly schema: 'bulwark-catalog-verify/v1';
  readonly target: string;
  readonly image: { readonly name?: string; readonly digest?: string; readonly user?: string };
  /** The catalogue entry the image matched (its repository pattern), when any. */
  readonly entry?: { readonly repository: string; readonly owner?: string; readonly notes?: string };
  readonly checks: readonly HardenedCheck[];
  /** True when no check failed (unknown checks count as failures: a profile point that cannot be shown is not met). */
  readonly passed: boolean;
}
