/**
 * Language packages the operating system owns: a Python distribution, npm module, gem, jar or binary
 * whose metadata file belongs to an OS package (dpkg `info/*.list`, rpm file list, apk `R:` lines;
 * linked by the catalog as `ownership-by-file-overlap`). Distributions backport security fixes into
 * such packages without changing the upstream version they declare (Debian's python3-urllib3 1.26.12
 * carries fixes PyPI only has in 1.26.18), so comparing that version with PyPI/npm/RubyGems/Maven
 * advisories reports vulnerabilities the distribution already fixed. By default they are matched only
 * through their OS package; `includeOsOwned` matches them as well, and their findings say who owns them.
 */
import type { Package, PackageType } from '../model/package.js';
import type { Sbom } from '../model/sbom.js';
import type { Finding, OsOwner } from './types.js';

const OS_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'rpm', 'apk']);

/** True for package types that come from an OS package database. */
export function isOsPackageType(type: PackageType): boolean {
  return OS_TYPES.has(type);
}

/**
 * Every language package of `sbom` whose files an OS package owns, by package id, with its owner
 * (the first owner in id order when several list the same file, so the answer is deterministic).
 */
export function osOwners(sbom: Pick<Sbom, 'packages' | 'relationships'>): Map<string, Package> {
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const out = new Map<string, Package>();
  for (const r of sbom.relationships) {
    if (r.type !== 'ownership-by-file-overlap') continue;
    const owner = byId.get(r.from);
    const owned = byId.get(r.to);
    if (!owner || !owned || !isOsPackageType(owner.type) || isOsPackageType(owned.type)) continue;
    const seen = out.get(owned.id);
    if (!seen || owner.id < seen.id) out.set(owned.id, owner);
  }
  return out;
}

/**
 * The owned packages to leave to their owner: those whose owner can itself be matched (`canMatch`, e.g.
 * false for a deb on a release with no advisory ecosystem). An owned package whose owner cannot be
 * matched is matched by its own version instead (and marked), so that nothing goes unchecked silently.
 */
export function ownedToSkip(
  owners: ReadonlyMap<string, Package>,
  canMatch: (owner: Package) => boolean,
): Set<string> {
  const verdict = new Map<string, boolean>();
  const out = new Set<string>();
  for (const [id, owner] of owners) {
    let ok = verdict.get(owner.id);
    if (ok === undefined) verdict.set(owner.id, (ok = canMatch(owner)));
    if (ok) out.add(id);
  }
  return out;
}

/** The owner as findings and reports show it. */
export function ownerRef(owner: Package): OsOwner {
  return { name: owner.name, version: owner.version, type: owner.type, purl: owner.purl };
}

/** Findings of OS-owned packages (only present with `includeOsOwned`) gain `ownedBy`. */
export function markOsOwned(findings: Finding[], owners: ReadonlyMap<string, Package>): Finding[] {
  if (owners.size === 0) return findings;
  return findings.map((f) => {
    const owner = owners.get(f.package.id);
    return owner ? { ...f, ownedBy: ownerRef(owner) } : f;
  });
}
