/**
 * The `ci:` section of `.bulwark.yaml` (docs/ci.md). Every key is optional: with no section
 * `bulwark ci` runs every check that applies, fails on new findings at or above `high`, and uses
 * `.bulwark-baseline.json` as the baseline when that file is committed.
 */
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { CI_SEVERITIES, type CiSeverity } from './types.js';

export const DEFAULT_BASELINE_FILE = '.bulwark-baseline.json';
export const DEFAULT_FAIL_ON: CiSeverity = 'high';

const ciConfigSchema = z.strictObject({
  /** Checks to run, by name (default: all of them). */
  checks: z.array(z.string().min(1)).max(20).optional(),
  failOn: z.enum(CI_SEVERITIES).optional(),
  /** Committed baseline file (default `.bulwark-baseline.json`, used when present). */
  baseline: z.string().min(1).max(4096).optional(),
  /** Paths to leave out of every repository check (picomatch globs relative to the root), as `--exclude`. */
  exclude: z.array(z.string().min(1).max(1000)).max(1000).optional(),
  /** Images to scan, as `--image` (targets). */
  images: z.array(z.string().min(1).max(4096)).max(100).optional(),
  /** Output files written on every run (as --sarif, --json, --markdown, --gitlab-reports). */
  outputs: z
    .strictObject({
      sarif: z.string().min(1).optional(),
      json: z.string().min(1).optional(),
      markdown: z.string().min(1).optional(),
      gitlab: z.string().min(1).optional(),
    })
    .optional(),
});

export type CiConfig = z.infer<typeof ciConfigSchema>;

/** Validate the `ci:` section; a bad one is an input error naming the key. */
export function ciConfigFrom(data: Record<string, unknown>, where: string): CiConfig {
  const section = data.ci;
  if (section === undefined || section === null) return {};
  const parsed = ciConfigSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      'E_CONFIG',
      `${where}: ci.${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`.replace('ci.: ', 'ci: '),
    );
  }
  return parsed.data;
}
