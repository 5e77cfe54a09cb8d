/**
 * Grouping matched records into findings. Records that name each other (id, `aliases`, and a single
 * `upstream` id, transitively) describe one vulnerability: GHSA-x ↔ CVE-y ↔ DEBIAN-CVE-y. A record with
 * SEVERAL upstream ids (a DSA fixing five CVEs) would glue unrelated CVEs together, so it joins every
 * group that holds one of its upstream ids instead, and stands alone only when none does.
 */
import type { OsvRecord } from '../db/types.js';

export interface Grouped<T> {
  readonly items: T[];
  /** Ids that identify the group (ids and aliases of its records; attached umbrella records add their own id only). */
  readonly ids: Set<string>;
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x);
    if (p === undefined) {
      this.parent.set(x, x);
      return x;
    }
    while (p !== x) {
      const gp = this.parent.get(p)!;
      this.parent.set(x, gp);
      x = p;
      p = this.parent.get(x)!;
    }
    return x;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

function ownKeys(r: OsvRecord): string[] {
  return [r.id, ...r.aliases];
}

/** Group items (each carrying a record) into alias groups; deterministic for a given input order. */
export function groupByAlias<T>(items: readonly T[], recordOf: (item: T) => OsvRecord): Grouped<T>[] {
  const uf = new UnionFind();
  const single: T[] = [];
  const umbrella: T[] = [];
  for (const item of items) {
    const r = recordOf(item);
    if (r.upstream.length > 1) umbrella.push(item);
    else single.push(item);
  }
  for (const item of single) {
    const r = recordOf(item);
    const keys = [...ownKeys(r), ...r.upstream];
    for (const k of keys.slice(1)) uf.union(keys[0]!, k);
  }
  const groups = new Map<string, Grouped<T>>();
  for (const item of single) {
    const r = recordOf(item);
    const root = uf.find(r.id);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { items: [], ids: new Set() }));
    g.items.push(item);
    for (const k of [...ownKeys(r), ...r.upstream]) g.ids.add(k);
  }
  const keyIndex = new Map<string, string>();
  for (const [root, g] of groups) for (const k of g.ids) keyIndex.set(k, root);
  for (const item of umbrella) {
    const r = recordOf(item);
    const roots = new Set<string>();
    for (const k of [...ownKeys(r), ...r.upstream]) {
      const root = keyIndex.get(k);
      if (root) roots.add(root);
    }
    if (roots.size === 0) {
      // Its upstream CVEs are not this finding's identity: several distinct vulnerabilities.
      const g: Grouped<T> = { items: [item], ids: new Set(ownKeys(r)) };
      groups.set(`umbrella\u0000${r.id}`, g);
      continue;
    }
    for (const root of [...roots].sort()) {
      const g = groups.get(root)!;
      g.items.push(item);
      for (const k of ownKeys(r)) g.ids.add(k);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** Sort ids for display: CVEs first, then GHSAs, then everything else, each alphabetically. */
export function sortIds(ids: Iterable<string>): string[] {
  const rank = (id: string): number => (id.startsWith('CVE-') ? 0 : id.startsWith('GHSA-') ? 1 : 2);
  return [...new Set(ids)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
