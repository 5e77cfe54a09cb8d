/**
 * A {@link Package} from a PURL, for SBOMs written by other tools: type, name (as our catalogers name
 * packages: Maven `group:artifact`, npm `@scope/name`, Go and Packagist `namespace/name`), version,
 * arch, and the source package from the `upstream` qualifier (deb `src` or `src@version`, apk origin,
 * rpm source-rpm file name).
 */
import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import type { Distro, Package, PackageType } from '../../model/package.js';

const TYPES: Readonly<Record<string, PackageType>> = {
  deb: 'deb',
  apk: 'apk',
  alpine: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'golang',
  cargo: 'cargo',
  gem: 'gem',
  composer: 'composer',
  nuget: 'nuget',
};

export type PurlResult =
  { readonly ok: true; readonly pkg: Package } | { readonly ok: false; readonly reason: string };

function nameFor(type: PackageType, ns: string | undefined | null, name: string): string {
  if (!ns) return name;
  switch (type) {
    case 'maven':
      return `${ns}:${name}`;
    case 'npm':
    case 'golang':
    case 'composer':
      return `${ns}/${name}`;
    default:
      return name; // OS packages: the namespace is the distro, not part of the name
  }
}

/** `openssl-3.0.7-27.el9.src.rpm` → name `openssl`, version `3.0.7-27.el9`. */
function parseSourceRpm(file: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+?)(?:\.(?:no)?src\.rpm)$/.exec(file);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

function sourceOf(
  type: PackageType,
  name: string,
  version: string,
  upstream: string | undefined,
): { sourceName?: string; sourceVersion?: string } {
  if (type === 'deb') {
    if (!upstream) return { sourceName: name, sourceVersion: version };
    const at = upstream.indexOf('@');
    return at > 0
      ? { sourceName: upstream.slice(0, at), sourceVersion: upstream.slice(at + 1) }
      : { sourceName: upstream, sourceVersion: version };
  }
  if (type === 'apk') return { sourceName: upstream || name, sourceVersion: version };
  if (type === 'rpm' && upstream) {
    const src = parseSourceRpm(upstream);
    if (src) {
      const epoch = /^(\d+):/.exec(version)?.[1];
      return { sourceName: src.name, sourceVersion: epoch ? `${epoch}:${src.version}` : src.version };
    }
  }
  return {};
}

/** Parse `distro=debian-12` (or `ubuntu-22.04`, `alpine-3.20.1`) into a Distro. */
export function distroFromQualifier(value: string): Distro | undefined {
  const m = /^([a-z][a-z0-9._]*?)-(\d[\w.]*)$/i.exec(value.trim());
  if (m) return { id: m[1]!.toLowerCase(), versionId: m[2]!, idLike: [] };
  return /^[a-z][a-z0-9._-]*$/i.test(value.trim())
    ? { id: value.trim().toLowerCase(), idLike: [] }
    : undefined;
}

/** Build a package from a PURL; `id` defaults to a hash of the PURL. */
export function packageFromPurl(purl: string, extra: Partial<Package> = {}): PurlResult {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch (err) {
    return { ok: false, reason: `invalid PURL "${purl}": ${(err as Error).message}` };
  }
  const type = TYPES[parsed.type];
  if (!type) return { ok: false, reason: `PURL type "${parsed.type}" has no vulnerability source` };
  const version = parsed.version ?? '';
  if (!version) return { ok: false, reason: `${purl}: no version` };
  const q = (parsed.qualifiers ?? {}) as Record<string, string | undefined>;
  const name = nameFor(type, parsed.namespace, parsed.name);
  const source = sourceOf(type, parsed.name, version, q.upstream);
  const pkg: Package = {
    id: createHash('sha256').update(purl).digest('hex').slice(0, 16),
    name,
    version,
    type,
    purl,
    licenses: [],
    locations: [],
    foundBy: 'sbom',
    ...(q.arch ? { arch: q.arch } : {}),
    ...source,
    ...extra,
  };
  return { ok: true, pkg };
}
