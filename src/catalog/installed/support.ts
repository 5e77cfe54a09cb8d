/**
 * Small helpers shared by the installed-package catalogers: per-file error isolation, locations,
 * deterministic ordering and temporary package ids for relationships.
 */
import type { CatalogFile, CatalogResult, Location, Package, Relationship, Unknown } from '../types.js';
import { oneLine, rethrowIfInternal } from '../../util/errors.js';

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

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

/** A string field of an untrusted JSON object, trimmed; undefined when absent or not a string. */
export function str(obj: unknown, key: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Parse JSON, turning syntax errors into a one-line reason. */
export function parseJson(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(stripBom(buf.toString('utf8')));
  } catch (err) {
    rethrowIfInternal(err);
    throw new Error(`malformed ${what}: ${oneLine(err)}`);
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
