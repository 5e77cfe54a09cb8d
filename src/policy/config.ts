/**
 * The `ignore:` section of `.bulwark.yaml`: audited suppressions. Each entry names a vulnerability id
 * (any alias works), may narrow it to packages (PURL pattern) and paths (globs over the package's
 * locations), MUST give a reason, and may expire. An entry without a reason is a config error.
 *
 *   ignore:
 *     - id: CVE-2023-1234
 *       package: pkg:npm/lodash@4.17.*
 *       paths: ["/app/**"]
 *       reason: "only used at build time"
 *       expires: 2025-06-30
 */
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { isPurlPattern } from './purl-pattern.js';

export interface IgnoreRule {
  /** `<config path>#ignore[<index>]`, for audit output. */
  readonly source: string;
  readonly id: string;
  readonly package?: string;
  readonly paths?: readonly string[];
  readonly reason: string;
  /** `YYYY-MM-DD` (the rule applies through that whole day, UTC) or an ISO timestamp. */
  readonly expires?: string;
}

const entrySchema = z
  .object({
    id: z.string().trim().min(1, 'id must not be empty'),
    package: z.string().trim().min(1).optional(),
    paths: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    reason: z
      .string({ error: 'reason is required (say why this finding does not apply)' })
      .trim()
      .min(1, 'reason is required (say why this finding does not apply)'),
    // YAML turns an unquoted 2025-06-30 into a Date.
    expires: z.union([z.string().trim().min(1), z.date()]).optional(),
  })
  .strict();

/** When does an `expires` value stop applying? Undefined when it is not a date. */
export function expiryInstant(expires: string): number | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
  if (day) {
    const t = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1);
    return Number.isNaN(t) ? undefined : t;
  }
  const t = Date.parse(expires);
  return Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(expires) ? undefined : t;
}

/** Parse and validate `ignore:` from the loaded config document. Throws a one-line InputError. */
export function parseIgnoreRules(
  data: Readonly<Record<string, unknown>>,
  path = '.bulwark.yaml',
): IgnoreRule[] {
  const raw = data.ignore;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InputError('E_CONFIG', `${path}: ignore: expected a list of entries`);
  return raw.map((entry, i) => {
    const where = `${path}: ignore[${i}]`;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
      const msg =
        issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
      throw new InputError('E_CONFIG', `${where}: ${field}${msg}`);
    }
    const e = parsed.data;
    if (e.package !== undefined && !isPurlPattern(e.package)) {
      throw new InputError(
        'E_CONFIG',
        `${where}: package: "${e.package}" is not a PURL pattern (e.g. pkg:npm/lodash@4.17.*)`,
      );
    }
    let expires: string | undefined;
    if (e.expires !== undefined) {
      expires = e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires;
      if (expiryInstant(expires) === undefined) {
        throw new InputError('E_CONFIG', `${where}: expires: "${expires}" is not a date (YYYY-MM-DD)`);
      }
    }
    const paths = e.paths === undefined ? undefined : Array.isArray(e.paths) ? e.paths : [e.paths];
    return {
      source: `${path}#ignore[${i}]`,
      id: e.id,
      ...(e.package ? { package: e.package } : {}),
      ...(paths ? { paths } : {}),
      reason: e.reason,
      ...(expires ? { expires } : {}),
    };
  });
}

/**
 * `scan.includeOsOwned` (boolean, default false): also match language packages whose files an OS
 * package owns by their own version (see docs/scan.md). Other keys of `scan:` belong to other settings
 * and are left to them. Throws a one-line InputError on a wrong type.
 */
export function parseIncludeOsOwned(
  data: Readonly<Record<string, unknown>>,
  path = '.bulwark.yaml',
): boolean {
  const scan = data['scan'];
  if (scan === undefined || scan === null) return false;
  if (typeof scan !== 'object' || Array.isArray(scan))
    throw new InputError('E_CONFIG', `${path}: scan: expected a mapping`);
  const value = (scan as Record<string, unknown>)['includeOsOwned'];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean')
    throw new InputError('E_CONFIG', `${path}: scan.includeOsOwned: expected true or false`);
  return value;
}
