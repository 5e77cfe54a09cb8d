/**
 * The scanners of `bulwark scan --scanners …` and the one severity scale their findings share, so that
 * `--fail-on` and `--severity` mean the same thing for a vulnerability, a secret and a misconfiguration.
 */
import type { Finding as LintFinding, Severity as LintSeverity } from '../lint/types.js';
import type { ImageFinding } from '../lint/image/types.js';
import { RATINGS, type Rating } from '../db/types.js';
import type { Severity as SecretSeverity } from '../secrets/types.js';

export const SCANNERS = ['vuln', 'secret', 'config'] as const;
export type ScannerName = (typeof SCANNERS)[number];

/**
 * A configuration finding of `bulwark scan`: a Dockerfile lint finding (folder targets) or a built-image
 * check (image targets), told apart by `kind`. Messages never hold a secret value in full.
 */
export type Misconfiguration =
  ({ readonly kind: 'dockerfile' } & LintFinding) | ({ readonly kind: 'image' } & ImageFinding);

/**
 * Secret severities are the vulnerability ratings of the same name. Lint severities are too, except
 * `info`, which sits with `negligible` (below `low`): `--fail-on low` never fails on an info finding.
 */
export function ratingOf(severity: SecretSeverity | LintSeverity): Rating {
  return severity === 'info' ? 'negligible' : severity;
}

/** Position on the shared scale: 0 (unknown) … 5 (critical). */
export function ratingRank(r: Rating): number {
  return RATINGS.indexOf(r);
}
