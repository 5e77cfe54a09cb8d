/**
 * The scan report: what `bulwark scan` produces and every report format renders — the SBOM that was
 * matched, the vulnerability findings after policy, and the findings of the other scanners that shared
 * the pass. Serialised by `--format json` (schema in docs/scan-json.md).
 */
import type { Coverage, ExpiredSuppression, Finding, NotEvaluated } from '../match/types.js';
import type { BaseImage } from '../model/base-image.js';
import type { Sbom } from '../model/sbom.js';
import type { Misconfiguration } from '../extra-scanners/types.js';
import type { RedactedFinding } from '../secrets/types.js';

/** The result of `bulwark scan`: the SBOM it matched, every finding (suppressed ones included), context. */
export interface ScanReport {
  readonly schema: 'bulwark-scan/v1';
  readonly tool: { readonly name: 'bulwark'; readonly version: string };
  readonly sbom: Sbom;
  /** Sorted by risk (highest first), then vulnerability id, package name, version, id. */
  readonly findings: readonly Finding[];
  readonly database?: { readonly path: string; readonly builtAt?: string; readonly schemaVersion?: number };
  readonly expiredSuppressions: readonly ExpiredSuppression[];
  /**
   * Packages that were not (fully) evaluated, sorted by package name, version, id. Absent when no
   * vulnerability matching ran (e.g. `--scanners secret`).
   */
  readonly notEvaluated?: readonly NotEvaluated[];
  /** Counts of evaluated and not-evaluated packages: present exactly when `notEvaluated` is. */
  readonly coverage?: Coverage;
  /** Filters that were applied (`--severity`, `--only-fixed`, …), for the record. */
  readonly filters: Readonly<Record<string, unknown>>;
  /**
   * Secrets found by the `secret` scanner (`--scanners …,secret`), redacted: present exactly when that
   * scanner ran. Sorted by path, layer, line, column, rule.
   */
  readonly secrets?: readonly RedactedFinding[];
  /** Dockerfile or built-image findings of the `config` scanner: present exactly when it ran. */
  readonly misconfigurations?: readonly Misconfiguration[];
  /**
   * Language packages whose files an OS package owns: by default how many were matched only through
   * their OS package; with `included` (`--include-os-owned`) how many there are, all matched by their
   * own version too.
   */
  readonly osOwned?: { readonly packages: number; readonly included: boolean };
  /** The detected base image of an image target (absent when none was detected or not an image). */
  readonly baseImage?: BaseImage;
}
