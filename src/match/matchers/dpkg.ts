/**
 * Debian and Ubuntu packages. Their OSV records are per SOURCE package with SOURCE versions, so the
 * query uses `sourceName`/`sourceVersion` (a binNMU's binary version `1.2-3+b1` is `1.2-3` at the
 * source). Debian: `Debian:<major>`; Ubuntu: `Ubuntu:<YY.MM>` plus `:LTS` for LTS releases.
 */
import { distroFor, major } from './distro.js';
import type { Matcher } from './types.js';

const BIN_NMU = /\+b\d+$/;

function ubuntuEcosystem(versionId: string, name: string | undefined): string {
  const release = /^\d+\.\d+/.exec(versionId)?.[0] ?? versionId;
  // LTS releases are the even-year April ones; os-release also says so in PRETTY_NAME.
  const lts = /\bLTS\b/.test(name ?? '') || /^\d*[02468]\.04$/.test(release);
  return `Ubuntu:${release}${lts ? ':LTS' : ''}`;
}

export const dpkgMatcher: Matcher = {
  id: 'dpkg-source',
  types: ['deb'],
  queries(pkg, ctx) {
    const d = distroFor(pkg, ctx);
    if (!d?.versionId) return [];
    let ecosystem: string;
    if (d.id === 'debian') ecosystem = `Debian:${major(d.versionId)}`;
    else if (d.id === 'ubuntu') ecosystem = ubuntuEcosystem(d.versionId, d.name);
    else return [];
    const name = pkg.sourceName || pkg.name;
    const version = (pkg.sourceVersion || pkg.version).replace(BIN_NMU, '');
    return version ? [{ ecosystem, name, version }] : [];
  },
};
