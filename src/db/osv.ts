/**
 * OSV record validation at the boundary (zod). Required fields (`id`, `modified`) must be right or the
 * record is rejected with a reason; optional arrays are loose: a malformed element is dropped, the rest
 * of the record kept, so one odd range in an advisory does not hide the advisory.
 */
import { z } from 'zod';
import { baseEcosystem } from './ecosystem.js';
import { summarizeSeverity, toSeverityEntry } from './severity.js';
import type {
  EventKind,
  OsvAffected,
  OsvEvent,
  OsvRange,
  OsvRecord,
  OsvReference,
  SeverityEntry,
} from './types.js';

/** Parse every element with `item`, dropping those that fail; a non-array counts as empty. */
function looseArray<T>(item: z.ZodType<T>) {
  return z
    .unknown()
    .optional()
    .transform((value): T[] => {
      if (!Array.isArray(value)) return [];
      const out: T[] = [];
      for (const element of value) {
        const r = item.safeParse(element);
        if (r.success) out.push(r.data);
      }
      return out;
    });
}

const nonEmpty = z.string().trim().min(1).max(4096);
const plainObject = z.record(z.string(), z.unknown());
const optionalObject = z
  .unknown()
  .optional()
  .transform((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined,
  );
const optionalText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' && v.length > 0 ? v : undefined));

const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

const eventSchema = plainObject.transform((obj, ctx): OsvEvent => {
  const kinds = EVENT_KINDS.filter((k) => k in obj);
  const kind = kinds[0];
  const version = kind ? obj[kind] : undefined;
  if (kinds.length !== 1 || typeof version !== 'string' || version.trim() === '') {
    ctx.addIssue({
      code: 'custom',
      message: 'an event needs exactly one of introduced/fixed/last_affected/limit',
    });
    return z.NEVER;
  }
  return { kind: kind!, version: version.trim() };
});

const rangeSchema = z
  .object({
    type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
    repo: z.string().optional().catch(undefined),
    events: looseArray(eventSchema),
  })
  .transform((r, ctx): OsvRange => {
    if (r.events.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a range needs events' });
      return z.NEVER;
    }
    return r.repo ? { type: r.type, repo: r.repo, events: r.events } : { type: r.type, events: r.events };
  });

const severitySchema = z
  .object({ type: nonEmpty, score: nonEmpty })
  .transform((s): SeverityEntry => toSeverityEntry(s.type, s.score));

const packageSchema = z.object({
  ecosystem: nonEmpty,
  name: nonEmpty,
  purl: z.string().optional().catch(undefined),
});

const affectedSchema = z
  .object({
    package: packageSchema.optional(),
    ranges: looseArray(rangeSchema),
    versions: looseArray(nonEmpty),
    severity: looseArray(severitySchema),
    ecosystem_specific: optionalObject,
    database_specific: optionalObject,
  })
  .transform((a): OsvAffected => {
    const out: { -readonly [K in keyof OsvAffected]: OsvAffected[K] } = {
      ranges: a.ranges,
      versions: a.versions,
      severity: a.severity,
    };
    if (a.package) {
      out.package = a.package.purl
        ? { ecosystem: a.package.ecosystem, name: a.package.name, purl: a.package.purl }
        : { ecosystem: a.package.ecosystem, name: a.package.name };
    }
    if (a.ecosystem_specific) out.ecosystemSpecific = a.ecosystem_specific;
    if (a.database_specific) out.databaseSpecific = a.database_specific;
    return out;
  });

const referenceSchema = z
  .object({ type: z.string().catch('WEB'), url: nonEmpty })
  .transform((r): OsvReference => r);

const timestamp = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 timestamp');

const recordSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:+\-/]*$/, 'not a valid OSV id'),
  modified: timestamp,
  published: timestamp.optional().catch(undefined),
  withdrawn: timestamp.optional().catch(undefined),
  schema_version: optionalText,
  aliases: looseArray(nonEmpty),
  related: looseArray(nonEmpty),
  upstream: looseArray(nonEmpty),
  summary: optionalText,
  details: optionalText,
  severity: looseArray(severitySchema),
  affected: looseArray(affectedSchema),
  references: looseArray(referenceSchema),
  database_specific: optionalObject,
});

export type OsvParseResult =
  { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly reason: string };

/** Validate and normalise one decoded OSV JSON document. */
export function parseOsvRecord(input: unknown): OsvParseResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const r = recordSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: `${where}${issue?.message ?? 'invalid record'}` };
  }
  const d = r.data;
  const allSeverities = [...d.severity, ...d.affected.flatMap((a) => a.severity)];
  const summarySeverity = summarizeSeverity({
    id: d.id,
    summary: d.summary,
    severities: allSeverities,
    databaseSpecific: d.database_specific,
    ecosystemSpecific: d.affected.flatMap((a) => (a.ecosystemSpecific ? [a.ecosystemSpecific] : [])),
    ecosystems: d.affected.flatMap((a) => (a.package ? [baseEcosystem(a.package.ecosystem)] : [])),
  });
  const record: { -readonly [K in keyof OsvRecord]: OsvRecord[K] } = {
    id: d.id,
    modified: d.modified,
    aliases: d.aliases,
    related: d.related,
    upstream: d.upstream,
    severity: d.severity,
    affected: d.affected,
    references: d.references,
    summarySeverity,
  };
  if (d.published) record.published = d.published;
  if (d.withdrawn) record.withdrawn = d.withdrawn;
  if (d.schema_version) record.schemaVersion = d.schema_version;
  if (d.summary) record.summary = d.summary;
  if (d.details) record.details = d.details;
  if (d.database_specific) record.databaseSpecific = d.database_specific;
  return { ok: true, record };
}

/** Decode and validate OSV JSON text. */
export function parseOsvJson(text: string): OsvParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message.split('\n')[0]}` };
  }
  return parseOsvRecord(data);
}
