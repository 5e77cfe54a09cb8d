/**
 * NuGet packages.lock.json: `dependencies` per target framework (and runtime-specific
 * `net8.0/linux-x64` sections), each package with `type` Direct / Transitive / CentralTransitive /
 * Project, `resolved` version, `contentHash` and its own `dependencies`.
 *
 * One package per name and version across frameworks (the frameworks are listed in metadata); it is
 * direct if any framework lists it as Direct. `Project` entries are other projects of the solution:
 * not packages. Edges are resolved within the same framework section. NuGet ids are case-insensitive.
 */
import type { Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  lockError,
  parseJson,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';

function parsePackagesLock(input: LockFileInput, out: LockBuilder): void {
  const doc = parseJson(input.text, 'packages.lock.json');
  if (!isRecord(doc) || !isRecord(doc.dependencies))
    throw lockError('packages.lock.json: no "dependencies" object');
  const lockVersion = typeof doc.version === 'number' ? doc.version : undefined;
  const frameworks = new Map<Package, Set<string>>();
  const perFramework: [string, Map<string, Package>, [Package, JsonRecord][]][] = [];

  for (const [framework, section] of entries(doc.dependencies)) {
    const index = new Map<string, Package>();
    const bodies: [Package, JsonRecord][] = [];
    for (const [name, raw] of entries(section)) {
      if (!isRecord(raw)) {
        out.problem(`${framework}/${name}: entry is not an object`);
        continue;
      }
      const type = str(raw.type);
      if (type === 'Project') continue;
      const version = str(raw.resolved);
      if (!version) {
        out.problem(`${framework}/${name}: no resolved version`);
        continue;
      }
      const pkg = out.add({
        key: `${name.toLowerCase()}@${version.toLowerCase()}`,
        name,
        version,
        type: 'nuget',
        direct: false,
        metadata: { contentHash: str(raw.contentHash), lockVersion },
      });
      if (type === 'Direct') {
        pkg.direct = true;
        if (pkg.metadata) pkg.metadata.requested = str(raw.requested);
      }
      const set = frameworks.get(pkg) ?? new Set<string>();
      set.add(framework);
      frameworks.set(pkg, set);
      index.set(name.toLowerCase(), pkg);
      bodies.push([pkg, raw]);
    }
    perFramework.push([framework, index, bodies]);
  }
  for (const [, index, bodies] of perFramework) {
    for (const [pkg, raw] of bodies) {
      for (const [dep] of entries(raw.dependencies)) out.dependsOn(pkg, index.get(dep.toLowerCase()));
    }
  }
  for (const [pkg, set] of frameworks) {
    pkg.metadata = { ...pkg.metadata, targetFrameworks: [...set].sort() };
  }
}

/** packages.lock.json (NuGet lock files). */
export const nugetLockCataloger = defineLockCataloger({
  id: 'nuget-packages-lock',
  version: 3,
  primary: (base) => base === 'packages.lock.json',
  parse: parsePackagesLock,
});
