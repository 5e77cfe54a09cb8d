/** Helpers shared by the SBOM formats: ordering, naming, timestamps and content-derived UUIDs. */
import { createHash, randomUUID } from 'node:crypto';
import parseSpdx from 'spdx-expression-parse';
import type { Package, Relationship, Unknown } from '../../model/package.js';
import type { SourceDescription } from '../../source/types.js';
import { UsageError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';

/** Options every format accepts (each format ignores what it does not need). */
export interface FormatOptions {
  /** Pin the document creation time (reproducible output). Wins over `SOURCE_DATE_EPOCH`. */
  readonly timestamp?: Date;
  /** Environment consulted for `SOURCE_DATE_EPOCH`; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Table only: ANSI colours. */
  readonly color?: boolean;
}

/** Code-point order: unlike `localeCompare`, the same on every machine and locale. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The documented order of {@link Sbom.packages}: type, name, version, first location, id. */
export function comparePackages(a: Package, b: Package): number {
  return (
    byString(a.type, b.type) ||
    byString(a.name, b.name) ||
    byString(a.version, b.version) ||
    byString(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    byString(a.id, b.id)
  );
}

/** The documented order of {@link Sbom.relationships}: from, type, to. */
export function compareRelationships(a: Relationship, b: Relationship): number {
  return byString(a.from, b.from) || byString(a.type, b.type) || byString(a.to, b.to);
}

/** The documented order of {@link Sbom.unknowns}: path, reason. */
export function compareUnknowns(a: Unknown, b: Unknown): number {
  return (
    byString(a.path, b.path) ||
    byString(a.reason, b.reason) ||
    (a.layer?.index ?? -1) - (b.layer?.index ?? -1) ||
    byString(a.cataloger ?? '', b.cataloger ?? '')
  );
}

/** The name a person knows the scanned thing by: the first repo tag of an image, else the target. */
export function subjectName(source: SourceDescription): string {
  if (source.kind === 'image') return source.image.repoTags[0] ?? source.target;
  return source.target;
}

/** How a distro reads in one line, e.g. `Debian GNU/Linux 12 (bookworm)` or `alpine 3.20.1`. */
export function distroLabel(sbom: Sbom): string | undefined {
  const d = sbom.distro;
  if (!d) return undefined;
  return d.prettyName ?? [d.name ?? d.id, d.versionId].filter(Boolean).join(' ');
}

/**
 * The document creation time: the pinned `timestamp`, else `SOURCE_DATE_EPOCH` (the
 * reproducible-builds convention), else now. `pinned` says whether the output must be reproducible.
 */
export function resolveTimestamp(options: FormatOptions): { date: Date; pinned: boolean } {
  if (options.timestamp) {
    if (Number.isNaN(options.timestamp.getTime())) throw new UsageError('invalid SBOM timestamp');
    return { date: options.timestamp, pinned: true };
  }
  const epoch = (options.env ?? process.env)['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '') {
    // The convention requires a plain decimal count of seconds; anything else is an error, not "now".
    if (!/^\d{1,12}$/.test(epoch.trim())) {
      throw new UsageError(
        `SOURCE_DATE_EPOCH must be a number of seconds since 1970, got "${epoch.slice(0, 40)}"`,
      );
    }
    return { date: new Date(Number(epoch.trim()) * 1000), pinned: true };
  }
  return { date: new Date(), pinned: false };
}

/** ISO 8601 UTC to the second (`2024-05-01T12:00:00Z`), the form SPDX asks for. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A name-based UUID in the style of RFC 9562 version 5: SHA-1 over a namespace and the content,
 * with the version and variant bits set. Same content, same UUID.
 */
export function contentUuid(namespace: string, content: string): string {
  const hash = createHash('sha1').update(namespace).update('\0').update(content).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A content-derived UUID when the output is pinned, a random one otherwise. */
export function documentUuid(pinned: boolean, namespace: string, content: string): string {
  return pinned ? contentUuid(namespace, content) : randomUUID();
}

/** Whether text parses as an SPDX licence expression (a single id is an expression too). */
export function isSpdxExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** Several declared licences all apply: join them with AND, bracketing compound expressions. */
export function joinWithAnd(expressions: readonly string[]): string {
  if (expressions.length === 1) return expressions[0]!;
  return expressions.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' AND ');
}
