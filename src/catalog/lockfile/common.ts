/**
 * Shared plumbing for the lock-file and manifest catalogers: one declaration per format (which file
 * names it reads, how to parse one file), a per-file builder that collects packages, `depends-on`
 * edges and per-entry problems, PURL construction per ecosystem, and bounded JSON/YAML/TOML parsing.
 *
 * Every parser runs on one file at a time; a file that cannot be parsed becomes an {@link Unknown}
 * and the other files of the scan are still cataloged.
 */
import { posix } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { parse as parseTomlText } from 'smol-toml';
import type * as Yaml from 'yaml';
import { InputError, oneLine, rethrowIfInternal } from '../../util/errors.js';
import { pep503 } from '../../util/pep503.js';
import { baseName, compare, decode, isRecord, parseJson, str, type JsonRecord } from '../kit.js';
import { isInsideInstalledPackage, isInsideInstalledPackageDir } from './inside-package.js';
import type {
  CatalogContext,
  CatalogFile,
  Cataloger,
  CatalogResult,
  DependencyScope,
  FileView,
  Package,
  PackageType,
  Relationship,
  Unknown,
} from '../types.js';
import { pushAll } from '../../util/arrays.js';
import { lazyRequire } from '../../util/lazy.js';

/** YAML is parsed only when a YAML file is read: loaded then. */
const yaml = lazyRequire<typeof Yaml>('yaml');

/** The error every lock-file parser throws for a file it cannot read as a whole. */
export function lockError(message: string, cause?: unknown): InputError {
  return new InputError('E_LOCKFILE', message, cause === undefined ? undefined : { cause });
}

// ---------------------------------------------------------------------------------------------------
// Untrusted-shape helpers (the shared ones come from the cataloger kit, re-exported for the parsers)

export { baseName, compare, decode, isRecord, parseJson, str, type JsonRecord };

/** `true` as JSON/TOML boolean or as a failsafe-YAML string. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Own entries of a record (an absent or non-object value gives none), sorted by key for determinism. */
export function entries(value: unknown): [string, unknown][] {
  if (!isRecord(value)) return [];
  return Object.entries(value).sort(([a], [b]) => compare(a, b));
}

/**
 * YAML with alias expansion bounded (a "billion laughs" document fails instead of exploding). Every
 * scalar stays a string (failsafe schema): `version: 1.10` must not become the number 1.1.
 */
export function parseYaml(text: string, what: string): unknown {
  if (flowDepth(text) > MAX_YAML_FLOW_DEPTH) {
    throw lockError(
      `${what}: invalid YAML (flow collections nested more than ${MAX_YAML_FLOW_DEPTH} levels)`,
    );
  }
  try {
    return yaml().parse(text, {
      schema: 'failsafe',
      maxAliasCount: 1000,
      uniqueKeys: false,
      prettyErrors: false,
    }) as unknown;
  } catch (err) {
    rethrowIfInternal(err);
    throw lockError(`${what}: invalid YAML (${firstLine(err)})`, err);
  }
}

const MAX_YAML_FLOW_DEPTH = 256;

/**
 * An upper bound of `[`/`{` nesting, counted without regard to quoting: the YAML parser recurses per
 * level and takes seconds on a few hundred thousand brackets before failing; lock files use 2 or 3.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

export function parseToml(text: string, what: string): JsonRecord {
  try {
    return parseTomlText(text, { maxDepth: 64, unsafeKeyBehaviour: 'drop' }) as JsonRecord;
  } catch (err) {
    rethrowIfInternal(err);
    throw lockError(`${what}: invalid TOML (${firstLine(err)})`, err);
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return oneLine(text.split('\n')[0] ?? text);
}

/** Hide credentials in a URL (`https://user:token@host/…` → `https://***@host/…`) before it is reported. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

// ---------------------------------------------------------------------------------------------------
// Paths

/** Resolve `rel` against the folder of the file at `from` (absolute, normalised). */
export function siblingPath(from: string, rel: string): string {
  return posix.resolve(posix.dirname(from), rel);
}

/** Whether a path lies inside a folder with this name (e.g. `node_modules`, `vendor`). */
export function inFolder(path: string, folder: string): boolean {
  return path.split('/').slice(0, -1).includes(folder);
}

// ---------------------------------------------------------------------------------------------------
// Identity

/** PEP 503 normalised Python project name (re-exported for the lock-file parsers). */
export { pep503 };

/**
 * The identity of a Python package in a lock file: keyed by its PEP 503 name and version, so that two
 * spellings of one project (`Foo_Bar`, `foo-bar`) at one version make one package.
 */
export function pypiIdentity(
  name: string,
  version: string,
): { key: string; name: string; version: string; type: 'pypi' } {
  return { key: `${pep503(name)}@${version}`, name, version, type: 'pypi' };
}

/**
 * Build a PURL. `name` is the ecosystem's full name as written: `@scope/pkg` (npm), `group:artifact`
 * (maven), `vendor/name` (composer), a module path (golang); it is split into namespace and name here.
 */
export function purlFor(
  type: PackageType,
  name: string,
  version: string,
  qualifiers?: Record<string, string>,
): string {
  let namespace: string | undefined;
  let short = name;
  switch (type) {
    case 'npm':
    case 'composer':
    case 'golang': {
      const slash = name.lastIndexOf('/');
      if (slash > 0 && (type !== 'npm' || name.startsWith('@'))) {
        namespace = name.slice(0, slash);
        short = name.slice(slash + 1);
      }
      break;
    }
    case 'maven': {
      const colon = name.indexOf(':');
      if (colon > 0) {
        namespace = name.slice(0, colon);
        short = name.slice(colon + 1);
      }
      break;
    }
    case 'pypi':
      short = pep503(name);
      break;
    default:
      break;
  }
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  return new PackageURL(type, namespace, short, version || undefined, q, undefined).toString();
}

// ---------------------------------------------------------------------------------------------------
// The per-file builder

export interface PackageSpec {
  name: string;
  version: string;
  type: PackageType;
  /** Distinguishes packages of one file that share name and version (npm install paths, platforms). */
  key?: string;
  purl?: string;
  direct?: boolean;
  scope?: DependencyScope;
  licenses?: string[];
  metadata?: Record<string, unknown>;
}

/** Collects what one lock file yields. Package ids are temporary (`<cataloger>:<path>:<key>`). */
export class LockBuilder {
  private readonly packages = new Map<string, Package>();
  private readonly edges = new Map<string, Relationship>();
  private readonly problems: Unknown[] = [];

  constructor(
    readonly catalogerId: string,
    readonly file: CatalogFile,
  ) {}

  idFor(key: string): string {
    return `${this.catalogerId}:${this.file.path}:${key}`;
  }

  /** Add a package; a second add with the same key returns the first one unchanged. */
  add(spec: PackageSpec): Package {
    const key = spec.key ?? `${spec.name}@${spec.version}`;
    const id = this.idFor(key);
    const existing = this.packages.get(id);
    if (existing) return existing;
    const pkg: Package = {
      id,
      name: spec.name,
      version: spec.version,
      type: spec.type,
      purl: spec.purl ?? purlFor(spec.type, spec.name, spec.version),
      licenses: spec.licenses ?? [],
      locations: [{ path: this.file.path, layer: this.file.layer }],
      layer: this.file.layer,
      foundBy: this.catalogerId,
    };
    if (spec.direct !== undefined) pkg.direct = spec.direct;
    if (spec.scope !== undefined) pkg.scope = spec.scope;
    const metadata = compact(spec.metadata);
    if (metadata) pkg.metadata = metadata;
    this.packages.set(id, pkg);
    return pkg;
  }

  get(key: string): Package | undefined {
    return this.packages.get(this.idFor(key));
  }

  all(): Package[] {
    return [...this.packages.values()];
  }

  dependsOn(from: Package | undefined, to: Package | undefined): void {
    if (!from || !to || from.id === to.id) return;
    const rel: Relationship = { from: from.id, to: to.id, type: 'depends-on' };
    this.edges.set(`${rel.from}\u0000${rel.to}`, rel);
  }

  /** Outgoing `depends-on` targets of every package, by package id (for scope propagation). */
  adjacency(): Map<string, Package[]> {
    const out = new Map<string, Package[]>();
    for (const rel of this.edges.values()) {
      const to = this.packages.get(rel.to);
      if (!to) continue;
      const list = out.get(rel.from);
      if (list) list.push(to);
      else out.set(rel.from, [to]);
    }
    return out;
  }

  /** A problem with one entry: reported, the rest of the file still counts. */
  problem(reason: string): void {
    this.problems.push({ path: this.file.path, layer: this.file.layer, reason, cataloger: this.catalogerId });
  }

  result(): Required<CatalogResult> {
    return { packages: this.all(), relationships: [...this.edges.values()], unknowns: this.problems };
  }
}

function compact(metadata: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!metadata) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Give a scope to packages that have none, by reachability over `depends-on` edges from the direct
 * dependencies: anything a production root reaches is `prod`; of the rest, what an optional root reaches
 * is `optional`, then `peer`, then `dev`. Used where a format only says which *direct* dependencies are
 * dev (pnpm v9 importers, yarn with its package.json, poetry and uv groups).
 */
export function propagateScopes(
  builder: LockBuilder,
  roots: Partial<Record<DependencyScope, Package[]>>,
): void {
  const order: DependencyScope[] = ['prod', 'optional', 'peer', 'dev'];
  const assigned = new Set<string>();
  const adjacency = builder.adjacency();
  for (const scope of order) {
    const queue = [...(roots[scope] ?? [])];
    while (queue.length > 0) {
      const p = queue.pop()!;
      if (assigned.has(p.id)) continue;
      assigned.add(p.id);
      if (p.scope === undefined) p.scope = scope;
      pushAll(queue, adjacency.get(p.id) ?? []);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The cataloger declaration

export interface LockFileInput {
  readonly file: CatalogFile;
  readonly text: string;
  readonly view: FileView;
  readonly ctx: CatalogContext;
  /** Read a companion file (e.g. the package.json beside a yarn.lock) if the scan buffered it. */
  readonly companion: (path: string) => Promise<string | undefined>;
}

export interface LockCatalogerSpec {
  readonly id: string;
  readonly version: number;
  /** The lock files / manifests this cataloger parses (called with the base name and full path). */
  readonly primary: (base: string, path: string) => boolean;
  /** Extra files it only reads as companions of a primary (package.json, go.sum, …). */
  readonly companions?: (base: string, path: string) => boolean;
  readonly maxFileSize?: number;
  readonly parse: (input: LockFileInput, out: LockBuilder) => void | Promise<void>;
}

/** Companion files larger than this are ignored (they are manifests, not data). */
const MAX_COMPANION_BYTES = 8 * 1024 * 1024;

export { isInsideInstalledPackage } from './inside-package.js';

/** Declare a lock-file cataloger: the loop over files, error isolation and sorting live here. */
export function defineLockCataloger(spec: LockCatalogerSpec): Cataloger {
  return {
    id: spec.id,
    version: spec.version,
    ...(spec.maxFileSize !== undefined ? { maxFileSize: spec.maxFileSize } : {}),
    match(path: string): boolean {
      if (isInsideInstalledPackage(path)) return false;
      const base = baseName(path);
      return spec.primary(base, path) || (spec.companions?.(base, path) ?? false);
    },
    async catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> {
      const packages: Package[] = [];
      const relationships: Relationship[] = [];
      const unknowns: Unknown[] = [];
      for (const file of view.files()) {
        if (!spec.primary(baseName(file.path), file.path)) continue;
        if (await isInsideInstalledPackageDir(file.path, view, ctx)) continue;
        const builder = new LockBuilder(spec.id, file);
        try {
          const text = decode(await file.read());
          const companion = async (path: string): Promise<string | undefined> => {
            const other = view.get(path);
            if (!other || other.size > MAX_COMPANION_BYTES) return undefined;
            try {
              return decode(await other.read());
            } catch (err) {
              rethrowIfInternal(err);
              return undefined;
            }
          };
          await spec.parse({ file, text, view, ctx, companion }, builder);
          const r = builder.result();
          pushAll(packages, r.packages);
          pushAll(relationships, r.relationships);
          pushAll(unknowns, r.unknowns);
        } catch (err) {
          rethrowIfInternal(err);
          unknowns.push({ path: file.path, layer: file.layer, reason: oneLine(err), cataloger: spec.id });
        }
      }
      return sortResult({ packages, relationships, unknowns });
    },
  };
}

/** Deterministic order: packages by name, version, id; relationships by from, to; unknowns by path. */
export function sortResult(r: Required<CatalogResult>): Required<CatalogResult> {
  r.packages.sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version) || compare(a.id, b.id));
  r.relationships.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  r.unknowns.sort((a, b) => compare(a.path, b.path) || compare(a.reason, b.reason));
  return r;
}
