import type { SecretDetector, Severity } from '../types.js';
import type { LintConfig } from '../config.js';

/** Where an image finding is: a config field, a history entry, or a path in the final filesystem. */
export type ImageLocation =
  | {
      readonly kind: 'config';
      readonly field: 'User' | 'Env' | 'Labels' | 'ExposedPorts';
      readonly key?: string;
    }
  | { readonly kind: 'history'; readonly index: number }
  | { readonly kind: 'file'; readonly path: string };

export interface ImageFinding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  /** Never contains a secret value in full (see `redact`). */
  readonly message: string;
  readonly location: ImageLocation;
}

export interface ImageCheckOptions {
  readonly detectSecret?: SecretDetector;
  /** Per-rule severity overrides / `off` from the `lint:` config section. */
  readonly config?: LintConfig;
  /** At most this many findings per file rule before they are summarised (default 50). */
  readonly maxPerRule?: number;
}
