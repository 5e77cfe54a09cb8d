/** Shared shape of the language-ecosystem matchers: one OSV ecosystem, the package's name as keyed there. */
import type { Package, PackageType } from '../../model/package.js';
import { skip, type MatchPlan, type Matcher } from './types.js';

/** Why a package has no name or version to look up: returned by `nameOf`/`versionOf` as `{ missing }`. */
export interface Missing {
  readonly missing: string;
}

export function languageMatcher(
  id: string,
  type: PackageType,
  ecosystem: string,
  nameOf: (pkg: Package) => string | Missing = (p) => p.name,
  versionOf: (pkg: Package) => string | Missing = (p) => p.version,
): Matcher {
  return {
    id,
    types: [type],
    plan(pkg): MatchPlan {
      const name = nameOf(pkg);
      if (typeof name !== 'string' || !name)
        return skip(
          'no-package-name',
          typeof name === 'string' ? `no ${ecosystem} package name` : name.missing,
          `no ${ecosystem} package name`,
        );
      const version = versionOf(pkg);
      if (typeof version !== 'string' || !version)
        return skip(
          'no-version',
          typeof version === 'string' ? 'no version' : version.missing,
          `no version to compare`,
        );
      return { queries: [{ ecosystem, name, version }] };
    },
  };
}
