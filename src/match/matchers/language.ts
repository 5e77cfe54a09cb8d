/** Shared shape of the language-ecosystem matchers: one OSV ecosystem, the package's name as keyed there. */
import type { Package, PackageType } from '../../model/package.js';
import type { Matcher } from './types.js';

export function languageMatcher(
  id: string,
  type: PackageType,
  ecosystem: string,
  nameOf: (pkg: Package) => string | undefined = (p) => p.name,
  versionOf: (pkg: Package) => string | undefined = (p) => p.version,
): Matcher {
  return {
    id,
    types: [type],
    queries(pkg) {
      const name = nameOf(pkg);
      const version = versionOf(pkg);
      return name && version ? [{ ecosystem, name, version }] : [];
    },
  };
}
