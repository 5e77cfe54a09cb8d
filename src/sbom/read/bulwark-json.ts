/**
 * Bulwark's own JSON SBOM (`bulwark-sbom/v1`, docs/sbom-json.md). Already our model; each package is
 * checked field by field (a malformed one becomes an unknown), the source description is kept when it
 * is well-formed so reports still show the image and its layers.
 */
import { parseBaseImage } from '../../model/base-image.js';
import type { Distro, Package, PackageType, Relationship, Unknown } from '../../model/package.js';
import type { SourceDescription } from '../../source/types.js';
import { InputError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';
import { MAX_PACKAGES, PACKAGE_TYPES, arr, assemble, isObj, str, type ReadContext } from './common.js';

const REL_TYPES: readonly Relationship['type'][] = ['ownership-by-file-overlap', 'depends-on', 'contains'];

function readPackage(v: unknown): Package | string {
  if (!isObj(v)) return 'not an object';
  const id = str(v.id);
  const name = str(v.name);
  const type = str(v.type) as PackageType | undefined;
  if (!id || !name || !type) return 'missing id, name or type';
  if (!PACKAGE_TYPES.includes(type)) return `unknown package type "${type}"`;
  if (typeof v.version !== 'string' || typeof v.purl !== 'string') return `${name}: missing version or purl`;
  const locations = arr(v.locations).filter(
    (l): l is Package['locations'][number] => isObj(l) && typeof l.path === 'string',
  );
  return {
    ...(v as unknown as Package),
    id,
    name,
    type,
    version: v.version,
    purl: v.purl,
    licenses: arr(v.licenses).filter((l): l is string => typeof l === 'string'),
    locations,
    foundBy: str(v.foundBy) ?? 'sbom',
  };
}

export function readBulwarkJson(doc: Record<string, unknown>, ctx: ReadContext): Sbom {
  const raw = doc.packages;
  if (!Array.isArray(raw))
    throw new InputError('E_NOT_SBOM', `${ctx.target}: bulwark-sbom/v1 document without a packages list`);
  if (raw.length > MAX_PACKAGES)
    throw new InputError('E_TOO_LARGE', `${ctx.target}: more than ${MAX_PACKAGES} packages`);
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  raw.forEach((v, i) => {
    const p = readPackage(v);
    if (typeof p === 'string')
      unknowns.push({ path: `${ctx.target}#packages[${i}]`, reason: p, cataloger: 'sbom' });
    else packages.push(p);
  });
  for (const u of arr(doc.unknowns)) {
    if (isObj(u) && typeof u.path === 'string' && typeof u.reason === 'string')
      unknowns.push(u as unknown as Unknown);
  }
  const relationships = arr(doc.relationships).filter(
    (r): r is Relationship =>
      isObj(r) &&
      typeof r.from === 'string' &&
      typeof r.to === 'string' &&
      REL_TYPES.includes(r.type as Relationship['type']),
  );
  const d = doc.distro;
  const distro: Distro | undefined =
    isObj(d) && typeof d.id === 'string'
      ? ({
          ...(d as unknown as Distro),
          idLike: arr(d.idLike).filter((x): x is string => typeof x === 'string'),
        } as Distro)
      : undefined;
  const s = doc.source;
  const source =
    isObj(s) &&
    (s.kind === 'directory' || (s.kind === 'image' && isObj(s.image) && Array.isArray(s.image.layers))) &&
    typeof s.target === 'string'
      ? (s as unknown as SourceDescription)
      : undefined;
  const sbom = assemble(ctx, packages, unknowns, distro, relationships, source);
  // The detected base image travels with an image SBOM (checked; a malformed one is dropped).
  const baseImage = source?.kind === 'image' ? parseBaseImage(doc.baseImage) : undefined;
  return baseImage ? { ...sbom, baseImage } : sbom;
}
