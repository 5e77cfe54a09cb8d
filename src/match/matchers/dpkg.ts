/**
 * Debian-family packages. Their OSV records are per SOURCE package with SOURCE versions, so the
 * query uses `sourceName`/`sourceVersion` (a binNMU's binary version `1.2-3+b1` is `1.2-3` at the
 * source). Debian: `Debian:<major>` (testing/unstable: see ./os-ecosystem.ts); Ubuntu:
 * `Ubuntu:<YY.MM>` plus `:LTS` for LTS releases; Echo: `Echo`.
 */
import { osMatcher } from './os.js';

const BIN_NMU = /\+b\d+$/;

export const dpkgMatcher = osMatcher('dpkg-source', 'deb', (p) =>
  (p.sourceVersion || p.version).replace(BIN_NMU, ''),
);
