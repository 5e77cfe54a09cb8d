/**
 * Test helpers for lock-file catalogers: run one over in-memory files and render its result as short,
 * readable strings (`name@version`, `a@1 -> b@2`) so tests can compare exact lists.
 */
import { memoryView, type MemoryFile } from '../../test-support/memory-view.js';
import type { Cataloger, CatalogResult, Package } from '../../types.js';

export async function runCataloger(
  cataloger: Cataloger,
  files: Record<string, string | Buffer | MemoryFile>,
): Promise<Required<CatalogResult>> {
  const view = memoryView(files, (p) => cataloger.match(p));
  const r = await cataloger.catalog(view, { source: { kind: 'directory', target: '/', path: '/' } });
  return { packages: r.packages, relationships: r.relationships ?? [], unknowns: r.unknowns ?? [] };
}

export function label(p: Package): string {
  return `${p.name}@${p.version}`;
}

/** `name@version` of every package, sorted. */
export function names(r: CatalogResult): string[] {
  return r.packages.map(label).sort();
}

/** `name@version direct=… scope=…` per package, sorted. */
export function flags(r: CatalogResult): string[] {
  return r.packages.map((p) => `${label(p)} direct=${String(p.direct)} scope=${String(p.scope)}`).sort();
}

/** `from@v -> to@v` per depends-on relationship, sorted. */
export function edges(r: CatalogResult): string[] {
  const byId = new Map(r.packages.map((p) => [p.id, p]));
  return (r.relationships ?? [])
    .map((rel) => {
      const from = byId.get(rel.from);
      const to = byId.get(rel.to);
      if (!from || !to) throw new Error(`dangling relationship ${rel.from} -> ${rel.to}`);
      return `${label(from)} -> ${label(to)}`;
    })
    .sort();
}

export function find(r: CatalogResult, name: string, version?: string): Package {
  const p = r.packages.find((x) => x.name === name && (version === undefined || x.version === version));
  if (!p) throw new Error(`package ${name}@${version ?? '*'} not found`);
  return p;
}
