/**
 * Every matcher, listed explicitly. No CPE matching: a package is only ever compared with advisories
 * of its own ecosystem and name (the table is in docs/scan.md).
 */
import type { PackageType } from '../../model/package.js';
import { apkMatcher } from './apk.js';
import { cargoMatcher } from './cargo.js';
import { composerMatcher } from './composer.js';
import { dpkgMatcher } from './dpkg.js';
import { gemMatcher } from './gem.js';
import { golangMatcher } from './golang.js';
import { mavenMatcher } from './maven.js';
import { npmMatcher } from './npm.js';
import { nugetMatcher } from './nuget.js';
import { pypiMatcher } from './pypi.js';
import { rpmMatcher } from './rpm.js';
import { runtimeMatcher } from './runtime.js';
import type { Matcher } from './types.js';

export type { Matcher, MatchContext, MatchPlan, MatchQuery, Skip } from './types.js';
export { queriesOf } from './types.js';

export const MATCHERS: readonly Matcher[] = [
  dpkgMatcher,
  apkMatcher,
  rpmMatcher,
  npmMatcher,
  pypiMatcher,
  golangMatcher,
  mavenMatcher,
  cargoMatcher,
  gemMatcher,
  nugetMatcher,
  composerMatcher,
  runtimeMatcher,
];

const BY_TYPE = new Map<PackageType, Matcher>();
for (const m of MATCHERS) for (const t of m.types) if (!BY_TYPE.has(t)) BY_TYPE.set(t, m);

/** The matcher for a package type (every type has one). */
export function matcherFor(type: PackageType): Matcher | undefined {
  return BY_TYPE.get(type);
}
