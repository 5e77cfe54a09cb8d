/**
 * `bulwark db search`: find records by id/alias or by package name, and with a version evaluate
 * whether that version is affected (and why).
 */
import { evaluate, type Evaluation } from './affected.js';
import { ecosystemMatches, normalizePackageName } from './ecosystem.js';
import type { VulnDatabase } from './store.js';
import type { EpssEntry, KevEntry, OsvRecord, SeveritySummary } from './types.js';

export interface SearchQuery {
  readonly query: string;
  readonly version?: string;
  readonly ecosystem?: string;
}

export interface SearchHit {
  readonly id: string;
  readonly summary?: string;
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
  readonly related: readonly string[];
  readonly published?: string;
  readonly modified: string;
  readonly severity: SeveritySummary;
  /** Packages the record names (id searches without a version), sorted. */
  readonly packages?: readonly { readonly ecosystem: string; readonly name: string }[];
  /** The package this hit is about (package searches, or each package of an id hit when a version is given). */
  readonly package?: { readonly ecosystem: string; readonly name: string };
  readonly evaluation?: Evaluation;
  readonly kev?: KevEntry;
  readonly epss?: EpssEntry;
}

export interface SearchResult {
  readonly query: string;
  readonly version?: string;
  readonly ecosystem?: string;
  /** How the query matched: by id/alias, or as a package name. */
  readonly matchedBy: 'id' | 'package' | 'none';
  readonly hits: readonly SearchHit[];
}

function cveOf(record: OsvRecord): string[] {
  return [record.id, ...record.aliases, ...record.upstream].filter((x) => /^CVE-\d{4}-\d+$/.test(x));
}

function hitFor(
  db: VulnDatabase,
  record: OsvRecord,
  pkg?: { ecosystem: string; name: string },
  version?: string,
): SearchHit {
  const hit: { -readonly [K in keyof SearchHit]: SearchHit[K] } = {
    id: record.id,
    aliases: record.aliases,
    upstream: record.upstream,
    related: record.related,
    modified: record.modified,
    severity: record.summarySeverity,
  };
  if (record.summary) hit.summary = record.summary;
  if (record.published) hit.published = record.published;
  if (pkg) hit.package = pkg;
  if (pkg && version !== undefined) hit.evaluation = evaluate(record, { ...pkg, version });
  for (const cve of cveOf(record)) {
    hit.kev ??= db.kev(cve);
    hit.epss ??= db.epss(cve);
  }
  if (!hit.kev) delete hit.kev;
  if (!hit.epss) delete hit.epss;
  return hit;
}

const byKey = (a: SearchHit, b: SearchHit): number => {
  const ka = `${a.package?.ecosystem ?? ''}\0${a.package?.name ?? ''}\0${a.id}`;
  const kb = `${b.package?.ecosystem ?? ''}\0${b.package?.name ?? ''}\0${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Run a search; results are sorted by (ecosystem, package, id). */
export function search(db: VulnDatabase, q: SearchQuery): SearchResult {
  const base = {
    query: q.query,
    ...(q.version !== undefined ? { version: q.version } : {}),
    ...(q.ecosystem !== undefined ? { ecosystem: q.ecosystem } : {}),
  };
  const byId = db.byId(q.query);
  if (byId.length > 0) {
    const hits: SearchHit[] = [];
    for (const record of byId) {
      if (q.version === undefined) {
        const pairs = new Map<string, { ecosystem: string; name: string }>();
        for (const a of record.affected) {
          if (a.package)
            pairs.set(`${a.package.ecosystem}\0${a.package.name}`, {
              ecosystem: a.package.ecosystem,
              name: a.package.name,
            });
        }
        const packages = [...pairs.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, p]) => p);
        hits.push({ ...hitFor(db, record), packages });
        continue;
      }
      // With a version: evaluate it against each package the record names.
      const seen = new Set<string>();
      for (const a of record.affected) {
        if (!a.package || (q.ecosystem && !ecosystemMatches(q.ecosystem, a.package.ecosystem))) continue;
        const key = `${a.package.ecosystem}\0${a.package.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        hits.push(hitFor(db, record, { ecosystem: a.package.ecosystem, name: a.package.name }, q.version));
      }
    }
    return { ...base, matchedBy: 'id', hits: hits.sort(byKey) };
  }

  const packages: { ecosystem: string; name: string }[] = q.ecosystem
    ? [{ ecosystem: q.ecosystem, name: q.query }]
    : db.searchPackage(q.query);
  const hits: SearchHit[] = [];
  for (const pkg of packages) {
    for (const record of db.lookup(pkg.ecosystem, pkg.name)) {
      // Report the package under the record's own spelling of ecosystem and name.
      const wanted = normalizePackageName(pkg.ecosystem, pkg.name);
      const entries = record.affected.filter(
        (a) =>
          a.package &&
          ecosystemMatches(pkg.ecosystem, a.package.ecosystem) &&
          normalizePackageName(a.package.ecosystem, a.package.name) === wanted,
      );
      const seen = new Set<string>();
      for (const a of entries) {
        const p = { ecosystem: a.package!.ecosystem, name: a.package!.name };
        const key = `${p.ecosystem}\0${p.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        hits.push(hitFor(db, record, p, q.version));
      }
    }
  }
  const unique = new Map(hits.map((h) => [`${h.package?.ecosystem}\0${h.package?.name}\0${h.id}`, h]));
  const sorted = [...unique.values()].sort(byKey);
  return { ...base, matchedBy: sorted.length > 0 ? 'package' : 'none', hits: sorted };
}
