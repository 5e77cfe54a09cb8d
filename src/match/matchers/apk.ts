/**
 * Alpine-family packages: advisories are keyed by the origin (source) package. Alpine data is per
 * release branch (`Alpine:v3.20`); Wolfi and Chainguard are rolling and have no release suffix.
 */
import { distroFor, majorMinor } from './distro.js';
import type { Matcher } from './types.js';

export const apkMatcher: Matcher = {
  id: 'apk-origin',
  types: ['apk'],
  queries(pkg, ctx) {
    const d = distroFor(pkg, ctx);
    let ecosystem: string | undefined;
    if (d?.id === 'alpine' && d.versionId) ecosystem = `Alpine:v${majorMinor(d.versionId)}`;
    else if (d?.id === 'wolfi') ecosystem = 'Wolfi';
    else if (d?.id === 'chainguard') ecosystem = 'Chainguard';
    if (!ecosystem || !pkg.version) return [];
    return [{ ecosystem, name: pkg.sourceName || pkg.name, version: pkg.version }];
  },
};
