/**
 * RPM-family packages. The OSV data of these distros is keyed by BINARY package name with
 * `[epoch:]version-release` versions, which is what the rpm cataloger records.
 */
import { distroFor, major } from './distro.js';
import type { Matcher } from './types.js';

/** os-release ID → OSV ecosystem (with the release where the data is per release). */
function ecosystemFor(id: string, versionId: string | undefined): string | undefined {
  switch (id) {
    case 'almalinux':
      return versionId ? `AlmaLinux:${major(versionId)}` : undefined;
    case 'rocky':
      return versionId ? `Rocky Linux:${major(versionId)}` : undefined;
    case 'rhel':
      // Red Hat's OSV ecosystems name products and streams (`Red Hat:enterprise_linux:9::appstream`);
      // the bare ecosystem matches all of them and the release suffix in versions (el8/el9) keeps
      // releases apart.
      return 'Red Hat';
    case 'opensuse-leap':
      return versionId ? `openSUSE:Leap ${versionId}` : undefined;
    case 'azurelinux':
      return versionId ? `Azure Linux:${major(versionId)}` : undefined;
    case 'openEuler':
    case 'openeuler':
      return versionId ? `openEuler:${versionId}` : undefined;
    default:
      return undefined;
  }
}

export const rpmMatcher: Matcher = {
  id: 'rpm',
  types: ['rpm'],
  queries(pkg, ctx) {
    const d = distroFor(pkg, ctx);
    const ecosystem = d ? ecosystemFor(d.id, d.versionId) : undefined;
    if (!ecosystem || !pkg.version) return [];
    return [{ ecosystem, name: pkg.name, version: pkg.version }];
  },
};
