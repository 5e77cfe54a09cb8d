/**
 * PURLs for OS packages (`pkg:deb`, `pkg:apk`, `pkg:rpm`), built with packageurl-js so that
 * percent-encoding and qualifier order follow the purl specification.
 */
import { PackageURL } from 'packageurl-js';
import type { Distro } from '../types.js';

/** Namespace used when the distribution is unknown (the ecosystem's reference distribution). */
const DEFAULT_NAMESPACE: Record<'deb' | 'apk' | 'rpm', string | undefined> = {
  deb: 'debian',
  apk: 'alpine',
  rpm: undefined,
};

/** The `distro` qualifier: `<id>-<VERSION_ID>` (or codename when there is no version), as Syft and Trivy emit. */
export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro || distro.id === 'unknown') return undefined;
  const release = distro.versionId ?? distro.versionCodename;
  return release ? `${distro.id}-${release}` : undefined;
}

/** Build an OS package PURL; empty qualifier values are dropped. */
export function osPurl(
  type: 'deb' | 'apk' | 'rpm',
  distro: Distro | undefined,
  name: string,
  version: string,
  qualifiers: Record<string, string | undefined>,
): string {
  const namespace = distro && distro.id !== 'unknown' ? distro.id : DEFAULT_NAMESPACE[type];
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...qualifiers, distro: distroQualifier(distro) })) if (v) q[k] = v;
  return new PackageURL(
    type,
    namespace,
    name,
    version || undefined,
    Object.keys(q).length > 0 ? q : undefined,
    undefined,
  ).toString();
}
