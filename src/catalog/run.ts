/**
 * The catalog stage end to end: one pass over the source feeding the collector (and any other
 * consumers, e.g. the secret scanner), then the distro detector and every cataloger over the final
 * filesystem, then identity, relationships and ordering of the result.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CachingCollector } from '../cache/caching-collector.js';
import { catalogerKey, type LayerCache } from '../cache/layer-cache.js';
import { resolveLinkTarget } from '../source/paths.js';
import { combineVisitors } from '../source/visitors.js';
import type { LayerRef, LayerVisitor, Source, WalkOptions } from '../source/types.js';
import { SBOM_SCHEMA, type Sbom } from '../model/sbom.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { oneLine, rethrowIfInternal } from '../util/errors.js';
import { CatalogCollector, DEFAULT_MAX_FILE_SIZE, type FileRequest } from './collector.js';
import { detectDistro, matchDistroFile } from './distro/detect.js';
import { cmp } from './kit.js';
import { DEFAULT_CATALOGERS } from './registry.js';
import type { FileTree, TreeNode } from '../source/tree.js';
import type { CatalogFile, Cataloger, Distro, FileView, Package, Relationship, Unknown } from './types.js';
import { pushAll } from '../util/arrays.js';

export interface CatalogOptions {
  readonly catalogers?: readonly Cataloger[];
  /** Per-file cap for buffered files (default 64 MiB). */
  readonly maxFileSize?: number;
  /** Extra consumers of the same pass (secret scanner, image checks). */
  readonly visitors?: readonly LayerVisitor[];
  readonly walk?: WalkOptions;
  /** Serve unchanged image layers from this cache (keyed by diff ID + cataloger versions); folders are never cached. */
  readonly layerCache?: LayerCache;
  /** Memory for kept file contents before they spill to temporary files (default 512 MiB). */
  readonly contentBudget?: number;
  /** Applied to file bytes before the layer cache stores them (the secret masker: no secret on disk). */
  readonly scrubCachedContent?: (content: Buffer) => Buffer;
}

export interface CatalogOutcome {
  readonly sbom: Sbom;
  /** The final filesystem, for consumers that need metadata of every path (image checks). */
  readonly tree: FileTree;
  /** Memory held for file contents at its peak, and how many files were spilled to disk instead. */
  readonly contents: { readonly peakHeldBytes: number; readonly spilledFiles: number };
}

function catalogFile(node: TreeNode, path: string, wantHistory: boolean): CatalogFile {
  const spilled = node.spilled;
  // Spilled contents are read back from their temporary file on each read (not kept).
  const read = async (): Promise<Buffer> =>
    spilled ? await readFile(spilled.path) : (node.content ?? Buffer.alloc(0));
  return {
    path,
    ...(node.layer.diffId || node.layer.digest ? { layer: node.layer } : {}),
    size: spilled ? spilled.size : (node.content?.length ?? 0),
    mode: node.header.mode,
    read,
    history: async () =>
      wantHistory && node.history?.length
        ? node.history
        : [{ ...(node.layer.diffId ? { layer: node.layer } : {}), content: await read() }],
  };
}

const hasContent = (node: TreeNode | undefined): boolean =>
  node?.content !== undefined || node?.spilled !== undefined;

function viewFor(tree: FileTree, matched: ReadonlySet<string>, history: boolean): FileView {
  let files: CatalogFile[] | undefined;
  return {
    files() {
      if (!files) {
        files = [];
        for (const path of [...matched].sort(cmp)) {
          const node = tree.lookup(path);
          if (node && hasContent(node) && (node.header.type === 'file' || node.header.type === 'hardlink')) {
            files.push(catalogFile(node, path, history));
          }
        }
      }
      return files;
    },
    get(path) {
      const node = tree.resolve(path);
      return hasContent(node) ? catalogFile(node!, path, history) : undefined;
    },
    stat(path) {
      return tree.resolve(path)?.header;
    },
  };
}

function stableId(p: Package): string {
  const key = [p.type, p.name, p.version, p.purl, p.locations[0]?.path ?? '', p.arch ?? ''].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function sortPackages(pkgs: Package[]): Package[] {
  return pkgs.sort(
    (a, b) =>
      cmp(a.type, b.type) ||
      cmp(a.name, b.name) ||
      cmp(a.version, b.version) ||
      cmp(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
      cmp(a.id, b.id),
  );
}

/** Run the catalog stage over a source. The source is walked exactly once. */
export async function catalogSource(source: Source, options: CatalogOptions = {}): Promise<CatalogOutcome> {
  const catalogers = options.catalogers ?? DEFAULT_CATALOGERS;
  const requests: FileRequest[] = [
    { id: 'distro', match: matchDistroFile },
    ...catalogers.map((c) => ({
      id: c.id,
      match: (p: string) => c.match(p),
      ...(c.history ? { history: true } : {}),
      ...(c.maxFileSize ? { maxFileSize: c.maxFileSize } : {}),
      ...(c.contentMarkers ? { contentMarkers: c.contentMarkers } : {}),
    })),
  ];
  const firstLayer: LayerRef =
    source.description.kind === 'image' && source.description.image.layers[0]
      ? source.description.image.layers[0]
      : { index: 0, digest: '', diffId: '', mediaType: '', size: 0 };
  const collector = new CatalogCollector(
    requests,
    firstLayer,
    options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    options.contentBudget,
  );
  try {
    return await catalogWith(source, options, catalogers, collector);
  } finally {
    collector.dispose();
  }
}

async function catalogWith(
  source: Source,
  options: CatalogOptions,
  catalogers: readonly Cataloger[],
  collector: CatalogCollector,
): Promise<CatalogOutcome> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const consumer =
    options.layerCache && source.description.kind === 'image'
      ? new CachingCollector(
          collector,
          options.layerCache,
          catalogerKey(catalogers, maxFileSize, 'distro'),
          options.scrubCachedContent,
        )
      : collector;
  const walk =
    options.layerCache && source.description.kind === 'image'
      ? { ...options.walk, trust: options.layerCache.verified }
      : options.walk;
  await source.walk(combineVisitors([consumer, ...(options.visitors ?? [])]), walk);

  const tree = collector.tree;
  const unknowns: Unknown[] = [
    ...collector.unknowns,
    ...collector.problems.map((p) => ({
      path: p.path ?? '',
      ...(p.layer ? { layer: p.layer } : {}),
      reason: p.reason,
    })),
  ];
  const distroFound = await detectDistro(viewFor(tree, collector.matched[0]!, false));
  const distro: Distro | undefined = distroFound;
  const ctx = { source: source.description, ...(distro ? { distro } : {}) };

  const packages: Package[] = [];
  const relationships: Relationship[] = [];
  for (let i = 0; i < catalogers.length; i++) {
    const c = catalogers[i]!;
    let result;
    try {
      result = await c.catalog(viewFor(tree, collector.matched[i + 1]!, c.history === true), ctx);
    } catch (err) {
      rethrowIfInternal(err);
      // A cataloger bug must not lose the rest of the SBOM: report it as an unknown.
      unknowns.push({ path: '', reason: `cataloger ${c.id} failed: ${oneLine(err)}`, cataloger: c.id });
      continue;
    }
    const rekey = new Map<string, string>();
    for (const p of result.packages) {
      const temp = p.id;
      if (!p.layer && p.locations[0]?.layer) p.layer = p.locations[0].layer;
      p.foundBy ||= c.id;
      p.id = stableId(p);
      if (temp) rekey.set(temp, p.id);
      packages.push(p);
    }
    for (const r of result.relationships ?? []) {
      const from = rekey.get(r.from) ?? r.from;
      const to = rekey.get(r.to) ?? r.to;
      relationships.push({ from, to, type: r.type });
    }
    for (const u of result.unknowns ?? []) unknowns.push({ ...u, cataloger: u.cataloger ?? c.id });
  }

  const merged = mergeLockedInstalls(packages, relationships);
  const deduped = dedupe(merged);
  pushAll(relationships, fileOverlap(deduped, tree));
  const ids = new Set(deduped.map((p) => p.id));
  const rels = uniqueRelationships(
    relationships.filter((r) => ids.has(r.from) && ids.has(r.to) && r.from !== r.to),
  );
  const sbom: Sbom = {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    source: source.description,
    ...(distro ? { distro } : {}),
    packages: sortPackages(deduped),
    relationships: rels,
    unknowns: unknowns.sort((a, b) => cmp(a.path, b.path) || cmp(a.reason, b.reason)),
    catalogers: catalogers.map((c) => ({ id: c.id, version: c.version })).sort((a, b) => cmp(a.id, b.id)),
  };
  return {
    sbom,
    tree,
    contents: { peakHeldBytes: collector.peakHeldBytes, spilledFiles: collector.spilledFiles },
  };
}

/**
 * An npm package that is both installed (`…/node_modules/x/package.json`) and recorded by the lock file
 * next to that `node_modules` (install path `node_modules/x`) is one package, not two: the installed one
 * keeps its identity and gains the lock file as a second location, with the lock file's direct/dev facts
 * and dependency edges.
 */
function mergeLockedInstalls(pkgs: Package[], rels: Relationship[]): Package[] {
  const installed = new Map<string, Package>();
  for (const p of pkgs) {
    const loc = p.locations[0]?.path;
    if (p.type === 'npm' && loc?.endsWith('/package.json') && loc.includes('/node_modules/'))
      installed.set(loc, p);
  }
  if (installed.size === 0) return pkgs;
  const rekey = new Map<string, string>();
  const out: Package[] = [];
  for (const p of pkgs) {
    const installPath = p.metadata?.['path'];
    const lockLoc = p.locations[0];
    if (
      p.type === 'npm' &&
      typeof installPath === 'string' &&
      installPath.startsWith('node_modules/') &&
      lockLoc
    ) {
      const dir = lockLoc.path.slice(0, lockLoc.path.lastIndexOf('/'));
      const twin = installed.get(`${dir}/${installPath}/package.json`);
      if (twin && twin.name === p.name && twin.version === p.version) {
        twin.locations.push(lockLoc);
        if (twin.direct === undefined && p.direct !== undefined) twin.direct = p.direct;
        if (twin.scope === undefined && p.scope !== undefined) twin.scope = p.scope;
        rekey.set(p.id, twin.id);
        continue;
      }
    }
    out.push(p);
  }
  for (const r of rels) {
    r.from = rekey.get(r.from) ?? r.from;
    r.to = rekey.get(r.to) ?? r.to;
  }
  return out;
}

/** The same package found twice at the same place (e.g. two catalogers) is one package. */
function dedupe(pkgs: Package[]): Package[] {
  const byId = new Map<string, Package>();
  for (const p of pkgs) {
    const seen = byId.get(p.id);
    if (!seen) byId.set(p.id, p);
  }
  return [...byId.values()];
}

/**
 * OS packages own files; a language package whose metadata lives in such a file is linked to it.
 * Paths are compared with their folders resolved through the final filesystem's symlinks: with a
 * merged /usr, dpkg lists `/bin/tool` and `/lib/…` while the image stores `/usr/bin/tool`. The file
 * name itself is not resolved, so owning a symlink never means owning its target.
 */
function fileOverlap(pkgs: readonly Package[], tree: FileTree): Relationship[] {
  const canonical = canonicalizer(tree);
  const owner = new Map<string, string>();
  for (const p of pkgs) {
    for (const f of p.files ?? []) {
      if (!owner.has(f)) owner.set(f, p.id);
      const real = canonical(f);
      if (!owner.has(real)) owner.set(real, p.id);
    }
  }
  if (owner.size === 0) return [];
  const out: Relationship[] = [];
  for (const p of pkgs) {
    if (p.files?.length) continue;
    for (const loc of p.locations) {
      // Locations inside archives look like /a/b.jar!/inner.jar: the owner owns the outer file.
      const path = loc.path.split('!')[0]!;
      const o = owner.get(path) ?? owner.get(canonical(path));
      if (o && o !== p.id) {
        out.push({ from: o, to: p.id, type: 'ownership-by-file-overlap' });
        break;
      }
    }
  }
  return out;
}

const MAX_LINK_HOPS = 40;

/** `path` with its folder resolved through symlinks of the tree (memoised per folder); unchanged when unresolvable. */
function canonicalizer(tree: FileTree): (path: string) => string {
  // '' marks a folder that does not resolve (missing, or a link loop).
  const dirs = new Map<string, string>();
  const realDir = (dir: string): string | undefined => {
    const cached = dirs.get(dir);
    if (cached !== undefined) return cached || undefined;
    const real = walkDir(dir);
    dirs.set(dir, real ?? '');
    return real;
  };
  const walkDir = (dir: string): string | undefined => {
    let pending = dir.split('/').filter(Boolean);
    let node = tree.root;
    const current: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      const child = node.children?.get(part);
      if (!child) return undefined;
      if (child.header.type === 'symlink' && child.header.linkTarget !== undefined) {
        if (++hops > MAX_LINK_HOPS) return undefined;
        const target = resolveLinkTarget(`/${[...current, part].join('/')}`, child.header.linkTarget);
        pending = [...target.split('/').filter(Boolean), ...pending];
        node = tree.root;
        current.length = 0;
        continue;
      }
      node = child;
      current.push(part);
    }
    return `/${current.join('/')}`;
  };
  return (path) => {
    const slash = path.lastIndexOf('/');
    if (slash <= 0) return path;
    const dir = realDir(path.slice(0, slash));
    return dir === undefined ? path : `${dir === '/' ? '' : dir}${path.slice(slash)}`;
  };
}

function uniqueRelationships(rels: Relationship[]): Relationship[] {
  const seen = new Map<string, Relationship>();
  for (const r of rels) seen.set(`${r.from}\u0000${r.type}\u0000${r.to}`, r);
  return [...seen.values()].sort((a, b) => cmp(a.from, b.from) || cmp(a.type, b.type) || cmp(a.to, b.to));
}
