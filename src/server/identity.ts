/**
 * A finding's stable identity in the register: the same vulnerability in the same package at the same
 * place, within one project and image repository, is the same finding in every scan and every tag — so
 * its state, owner and history survive re-scans and rebuilds.
 *
 * - vulnerability: the finding's primary id (the CVE when there is one);
 * - package: the PURL without version, qualifiers and subpath (`pkg:deb/debian/openssl`): an upgrade
 *   that does not fix the vulnerability keeps the finding, and `distro`/`arch` qualifiers do not split it;
 * - location: the path of the package's metadata (`/var/lib/dpkg/status`,
 *   `/app/node_modules/lodash/package.json`) without the layer, so two copies of one library are two
 *   findings while a rebuilt layer is not.
 */
import { createHash } from 'node:crypto';

/** `pkg:npm/%40scope/name@1.2.3?x=y#sub` → `pkg:npm/%40scope/name`. */
export function versionlessPurl(purl: string): string {
  let main = purl;
  const hash = main.indexOf('#');
  if (hash >= 0) main = main.slice(0, hash);
  const q = main.indexOf('?');
  if (q >= 0) main = main.slice(0, q);
  const slash = main.indexOf('/');
  const at = main.lastIndexOf('@');
  if (slash >= 0 && at > slash && main[at - 1] !== '/') main = main.slice(0, at);
  return main;
}

export interface IdentityParts {
  readonly projectId: string;
  readonly repository: string;
  readonly vulnerabilityId: string;
  readonly packagePurl: string;
  readonly location: string;
}

export function findingIdentity(p: IdentityParts): string {
  return createHash('sha256')
    .update([p.projectId, p.repository, p.vulnerabilityId, p.packagePurl, p.location].join('\u0000'))
    .digest('hex');
}
