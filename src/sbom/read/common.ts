/** Pieces shared by the SBOM readers. */
import type { Distro, Package, Relationship, Unknown } from '../../model/package.js';
import { SBOM_SCHEMA, type Sbom } from '../../model/sbom.js';
import { BULWARK_VERSION } from '../../util/tool-version.js';
import { byString, comparePackages, compareRelationships } from '../format/common.js';
import type { SourceDescription } from '../../source/types.js';
import { distroFromQualifier } from './purl.js';

export interface ReadContext {
  readonly target: string;
  readonly path: string;
}

export const MAX_PACKAGES = 500_000;

export { PACKAGE_TYPES } from '../../model/package.js';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The distro named by the first OS package PURL's `distro=` qualifier. */
export function distroFromPackages(pkgs: readonly Package[]): Distro | undefined {
  for (const p of pkgs) {
    if (p.type !== 'deb' && p.type !== 'apk' && p.type !== 'rpm') continue;
    const m = /[?&]distro=([^&#]+)/.exec(p.purl);
    if (m) {
      const d = distroFromQualifier(decodeURIComponent(m[1]!));
      if (d) return d;
    }
  }
  return undefined;
}

/** Assemble an Sbom from read packages: unique ids, sorted like the catalog sorts. */
export function assemble(
  ctx: ReadContext,
  packages: Package[],
  unknowns: Unknown[],
  distro: Distro | undefined,
  relationships: Relationship[] = [],
  source?: SourceDescription,
): Sbom {
  const byId = new Map<string, Package>();
  for (const p of packages) {
    let id = p.id;
    for (let n = 2; byId.has(id); n++) id = `${p.id}-${n}`;
    byId.set(id, id === p.id ? p : { ...p, id });
  }
  const ids = new Set(byId.keys());
  const d = distro ?? distroFromPackages(packages);
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: BULWARK_VERSION },
    source: source ?? { kind: 'directory', target: ctx.target, path: ctx.path },
    ...(d ? { distro: d } : {}),
    packages: [...byId.values()].sort(comparePackages),
    relationships: relationships.filter((r) => ids.has(r.from) && ids.has(r.to)).sort(compareRelationships),
    // Path and reason only (not compareUnknowns' layer/cataloger tie-breaks): ties keep the reader's order.
    unknowns: unknowns.sort((a, b) => byString(a.path, b.path) || byString(a.reason, b.reason)),
    catalogers: [],
  };
}
