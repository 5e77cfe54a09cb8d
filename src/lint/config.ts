/**
 * The `lint:` section of `.bulwark.yaml`:
 *
 * ```yaml
 * lint:
 *   failOn: high                 # exit 1 when a finding is at or above this severity
 *   trustedRegistries: [ghcr.io/acme, docker.io]
 *   rules:
 *     from-without-digest: off   # or a severity: info | low | medium | high | critical
 *     image-setuid-file: off     # image check ids are accepted too
 * ```
 */
import { z } from 'zod';
import type { LoadedConfig } from '../config/load.js';
import { InputError } from '../util/errors.js';
import { IMAGE_RULE_LIST } from './image/rules.js';
import { RULES_BY_ID } from './rules/index.js';
import { SEVERITIES, type Severity } from './types.js';

const severity = z.enum(SEVERITIES);

const LintSection = z.strictObject({
  failOn: severity.optional(),
  trustedRegistries: z.array(z.string().min(1)).max(1000).default([]),
  rules: z.record(z.string(), z.union([severity, z.literal('off')])).default({}),
});

export interface LintConfig {
  readonly failOn?: Severity;
  readonly trustedRegistries: readonly string[];
  /** Per-rule severity override, or `off`. */
  readonly rules: Readonly<Record<string, Severity | 'off'>>;
}

export const DEFAULT_LINT_CONFIG: LintConfig = { trustedRegistries: [], rules: {} };

/** Validate the `lint:` section; a mistake is one clear InputError naming the file and the key. */
export function lintConfigFrom(loaded: LoadedConfig): LintConfig {
  const section = loaded.data['lint'];
  if (section === undefined || section === null) return DEFAULT_LINT_CONFIG;
  const where = loaded.path ?? '.bulwark.yaml';
  const parsed = LintSection.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = ['lint', ...issue.path.map(String)].join('.');
    throw new InputError('E_CONFIG', `${where}: ${key}: ${issue.message}`);
  }
  const imageIds = new Set(IMAGE_RULE_LIST.map((r) => r.id));
  const unknown = Object.keys(parsed.data.rules).filter((id) => !RULES_BY_ID.has(id) && !imageIds.has(id));
  if (unknown.length)
    throw new InputError('E_CONFIG', `${where}: lint.rules: unknown rule ${unknown.sort().join(', ')}`);
  return {
    trustedRegistries: parsed.data.trustedRegistries,
    rules: parsed.data.rules,
    ...(parsed.data.failOn ? { failOn: parsed.data.failOn } : {}),
  };
}
