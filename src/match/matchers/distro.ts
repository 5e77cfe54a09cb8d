/**
 * The distro of an OS package: the scan's os-release, or the PURL's `distro=` qualifier (SBOM inputs
 * often carry only that), e.g. `debian-12`, `alpine-3.20.1`, `almalinux-9.4`, `ubuntu-22.04`.
 */
import type { Distro, Package } from '../../model/package.js';
import type { MatchContext } from './types.js';

export interface DistroRelease {
  readonly id: string;
  readonly versionId?: string;
  /** Marketing name (os-release PRETTY_NAME), used for Ubuntu's LTS marker, SUSE and openEuler. */
  readonly name?: string;
  /** os-release VERSION_CODENAME (Debian testing/unstable have only this). */
  readonly codename?: string;
}

function fromQualifier(purl: string): DistroRelease | undefined {
  const q = purl.indexOf('?');
  if (q < 0) return undefined;
  for (const part of purl
    .slice(q + 1)
    .split('#')[0]!
    .split('&')) {
    const [k, v] = part.split('=', 2);
    if (k !== 'distro' || !v) continue;
    const value = decodeURIComponent(v);
    const m = /^([a-z][a-z0-9._]*?)-(\d[\w.]*)$/i.exec(value);
    return m ? { id: m[1]!.toLowerCase(), versionId: m[2]! } : { id: value.toLowerCase() };
  }
  return undefined;
}

/** The distro release to match an OS package against: os-release first, then the PURL qualifier. */
export function distroFor(pkg: Package, ctx: MatchContext): DistroRelease | undefined {
  const d: Distro | undefined = ctx.distro;
  const known = d && d.id !== 'unknown' ? d : undefined;
  const full = (x: Distro): DistroRelease => ({
    id: x.id,
    ...(x.versionId ? { versionId: x.versionId } : {}),
    ...(x.prettyName ? { name: x.prettyName } : {}),
    ...(x.versionCodename ? { codename: x.versionCodename } : {}),
  });
  if (known?.versionId) return full(known);
  return fromQualifier(pkg.purl) ?? (known ? full(known) : undefined);
}

/** `12.5` → `12`. */
export function major(version: string): string {
  return version.split('.')[0]!;
}

/** `3.20.1` → `3.20`. */
export function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** How a release is named in messages: `amzn 2023`, `debian trixie`. */
export function releaseLabel(d: DistroRelease): string {
  return [d.id, d.versionId ?? d.codename].filter(Boolean).join(' ');
}
