/** Shared shape of the OS package matchers: the release's advisory ecosystems (./os-ecosystem.ts). */
import type { Package, PackageType } from '../../model/package.js';
import { distroFor } from './distro.js';
import { isSkip, osEcosystems, type OsFamily } from './os-ecosystem.js';
import { skip, type MatchPlan, type Matcher } from './types.js';

export function osMatcher(
  id: string,
  family: OsFamily & PackageType,
  /** The source version to compare when advisories are keyed by source package. */
  sourceVersion: (pkg: Package) => string = (p) => p.sourceVersion || p.version,
): Matcher {
  return {
    id,
    types: [family],
    plan(pkg, ctx): MatchPlan {
      const d = distroFor(pkg, ctx);
      const label = pkg.metadata?.modularityLabel;
      const eco = osEcosystems(d, family, {
        version: pkg.version,
        ...(typeof label === 'string' && label ? { modularityLabel: label } : {}),
      });
      if (isSkip(eco)) return { skip: eco };
      const bySource = eco.keyedBy === 'source';
      const name = bySource ? pkg.sourceName || pkg.name : pkg.name;
      const version = bySource ? sourceVersion(pkg) : pkg.version;
      if (!version) return skip('no-version', 'no version recorded', 'no version to compare');
      return {
        queries: eco.ecosystems.map((ecosystem) => ({
          ecosystem,
          name,
          version,
          ...(eco.accepts ? { accepts: eco.accepts } : {}),
          ...(eco.scope || eco.note ? { scope: [eco.scope, eco.note].filter(Boolean).join('; ') } : {}),
        })),
      };
    },
  };
}
