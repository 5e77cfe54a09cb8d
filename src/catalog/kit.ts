/**
 * The helper kit every cataloger uses (OS databases, installed packages, lock files): reading untrusted
 * JSON-like shapes, decoding and parsing files with a one-line error, paths, deterministic ordering, and
 * for the installed-package catalogers per-file error isolation, locations and temporary package ids.
 */
import type {
  CatalogFile,
  CatalogResult,
  FileView,
  Location,
  Package,
  Relationship,
  Unknown,
} from './types.js';
import { InputError, oneLine, rethrowIfInternal } from '../util/errors.js';

/** The location of a package found in `file`, optionally inside an archive (`a.jar!/b.jar`). */
export function locationOf(file: CatalogFile, path: string = file.path): Location {
  return file.layer ? { path, layer: file.layer } : { path };
}

/** Collects results across files; one file's failure becomes an {@link Unknown}, never fatal. */
export class ResultBuilder {
  readonly packages: Package[] = [];
  readonly relationships: Relationship[] = [];
  readonly unknowns: Unknown[] = [];
  private seq = 0;

  constructor(readonly catalogerId: string) {}

  /** A temporary id unique within this cataloger run (the core re-keys ids). */
  tempId(hint: string): string {
    this.seq += 1;
    return `${this.catalogerId}:${this.seq}:${hint}`;
  }

  add(pkg: Package): Package {
    this.packages.push(pkg);
    return pkg;
  }

  relate(from: string, to: string, type: Relationship['type']): void {
    if (from && to && from !== to) this.relationships.push({ from, to, type });
  }

  unknown(file: Pick<CatalogFile, 'path' | 'layer'>, reason: string, path: string = file.path): void {
    const u: Unknown = { path, reason, cataloger: this.catalogerId };
    if (file.layer) u.layer = file.layer;
    this.unknowns.push(u);
  }

  /** Run `fn` for one file; any thrown error is recorded as an unknown for that file. */
  async guard(file: CatalogFile, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (err) {
      rethrowIfInternal(err);
      this.unknown(file, oneLine(err));
    }
  }

  result(): CatalogResult {
    const packages = [...this.packages].sort(comparePackages);
    const relationships = [...this.relationships].sort(
      (a, b) => cmp(a.from, b.from) || cmp(a.type, b.type) || cmp(a.to, b.to),
    );
    const unknowns = [...this.unknowns].sort((a, b) => cmp(a.path, b.path) || cmp(a.reason, b.reason));
    return { packages, relationships, unknowns };
  }
}

/** Plain code-unit order of two strings (locale-independent, so output is deterministic). */
/**
 * The usual body of a cataloger that reads each matched file on its own: `fn` gets the file's bytes; a
 * file that fails becomes an unknown and the others are still cataloged.
 */
export async function catalogEachFile(
  catalogerId: string,
  view: FileView,
  fn: (out: ResultBuilder, file: CatalogFile, content: Buffer) => void | Promise<void>,
): Promise<CatalogResult> {
  const out = new ResultBuilder(catalogerId);
  for (const file of view.files()) {
    await out.guard(file, async () => fn(out, file, await file.read()));
  }
  return out.result();
}

/** Plain code-unit order of two strings (locale-independent, so output is deterministic). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Alias of {@link cmp}, the name the lock-file parsers use. */
export const compare = cmp;

function comparePackages(a: Package, b: Package): number {
  return (
    cmp(a.type, b.type) ||
    cmp(a.name, b.name) ||
    cmp(a.version, b.version) ||
    cmp(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    cmp(a.id, b.id)
  );
}

/** Basename of a POSIX path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Parent folder of a POSIX path (`/` for top-level entries). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Resolve `rel` against the absolute folder `base`, collapsing `.` and `..` (never above `/`). */
export function resolvePath(base: string, rel: string): string {
  const parts = rel.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

// ---------------------------------------------------------------------------------------------------
// Untrusted-shape helpers

export type JsonRecord = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A string field of an untrusted JSON object, trimmed; undefined when absent, blank or not a string. */
export function stringField(obj: unknown, key: string): string | undefined {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Text of a file: UTF-8 without a byte-order mark. */
export function decode(content: Buffer): string {
  return stripBom(content.toString('utf8'));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parse a JSON file (bytes are decoded without a byte-order mark). A syntax error becomes a one-line
 * `malformed <what>: invalid JSON (…)`, which the cataloger reports as an unknown for that file.
 */
export function parseJson(content: string | Buffer, what: string): unknown {
  try {
    return JSON.parse(typeof content === 'string' ? content : decode(content)) as unknown;
  } catch (err) {
    rethrowIfInternal(err);
    throw new InputError('E_BAD_JSON', `malformed ${what}: invalid JSON (${oneLine(err)})`, { cause: err });
  }
}
