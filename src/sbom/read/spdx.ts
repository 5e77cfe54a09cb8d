/**
 * SPDX 2.3 JSON: every package with a PACKAGE-MANAGER `purl` external reference becomes a package; the
 * operating system comes from a package whose `primaryPackagePurpose` is OPERATING-SYSTEM (name =
 * os-release ID, `versionInfo` = VERSION_ID), else from a PURL `distro=` qualifier. Bulwark's own
 * ownership links (an `OTHER` relationship whose comment starts with `ownership-by-file-overlap`) are
 * read back, so OS-owned language packages are matched the same way as from the image.
 */
import type { Distro, Package, Relationship, Unknown } from '../../model/package.js';
import { InputError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';
import { MAX_PACKAGES, arr, assemble, isObj, str, type ReadContext } from './common.js';
import { packageFromPurl } from './purl.js';

function purlOf(p: Record<string, unknown>): string | undefined {
  for (const r of arr(p.externalRefs)) {
    if (!isObj(r)) continue;
    const cat = str(r.referenceCategory)?.replace('_', '-').toUpperCase();
    if (cat === 'PACKAGE-MANAGER' && r.referenceType === 'purl') return str(r.referenceLocator);
  }
  return undefined;
}

export function readSpdx(doc: Record<string, unknown>, ctx: ReadContext): Sbom {
  const version = str(doc.spdxVersion)!;
  if (version !== 'SPDX-2.3' && version !== 'SPDX-2.2') {
    throw new InputError('E_SBOM_VERSION', `${ctx.target}: ${version} is not supported (SPDX 2.3 JSON)`);
  }
  const raw = arr(doc.packages);
  if (raw.length > MAX_PACKAGES)
    throw new InputError('E_TOO_LARGE', `${ctx.target}: more than ${MAX_PACKAGES} packages`);
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  const idOf = new Map<string, string>();
  let distro: Distro | undefined;
  raw.forEach((p, i) => {
    if (!isObj(p)) return;
    const purpose = str(p.primaryPackagePurpose)?.replace('_', '-').toUpperCase();
    if (purpose === 'OPERATING-SYSTEM' && !distro && typeof p.name === 'string') {
      const v = str(p.versionInfo);
      const prettyName = str(p.description);
      distro = {
        id: p.name.toLowerCase(),
        ...(v ? { versionId: v } : {}),
        ...(prettyName ? { prettyName } : {}),
        idLike: [],
      };
      return;
    }
    const purl = purlOf(p);
    const at = `${ctx.target}#packages[${i}]`;
    if (!purl) {
      if (purpose !== 'CONTAINER' && purpose !== 'OTHER' && purpose !== 'FILE') {
        unknowns.push({
          path: at,
          reason: `package ${str(p.name) ?? '?'} has no purl: not matched`,
          cataloger: 'sbom',
        });
      }
      return;
    }
    const r = packageFromPurl(purl);
    if (r.ok) {
      packages.push(r.pkg);
      const spdxId = str(p.SPDXID);
      if (spdxId) idOf.set(spdxId, r.pkg.id);
    } else unknowns.push({ path: at, reason: r.reason, cataloger: 'sbom' });
  });
  const relationships: Relationship[] = [];
  for (const r of arr(doc.relationships)) {
    if (!isObj(r) || r.relationshipType !== 'OTHER') continue;
    if (!str(r.comment)?.startsWith('ownership-by-file-overlap')) continue;
    const from = idOf.get(str(r.spdxElementId) ?? '');
    const to = idOf.get(str(r.relatedSpdxElement) ?? '');
    if (from && to) relationships.push({ from, to, type: 'ownership-by-file-overlap' });
  }
  return assemble(ctx, packages, unknowns, distro, relationships);
}
