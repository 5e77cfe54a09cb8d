/**
 * CycloneDX JSON 1.4–1.6: every component (nested ones too) with a `purl` becomes a package; the
 * operating system comes from an `operating-system` component (name = os-release ID, version =
 * VERSION_ID), else from a PURL `distro=` qualifier. Bulwark's own `bulwark:` properties (source
 * package, locations, layer, the owning OS package) are read back when present; `bom-ref` becomes the package id so VEX
 * `affects[].ref` values keep pointing at the same packages.
 */
import type { Distro, Package, Relationship, Unknown } from '../../model/package.js';
import type { LayerRef } from '../../source/types.js';
import { InputError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';
import { MAX_PACKAGES, arr, assemble, isObj, str, type ReadContext } from './common.js';
import { packageFromPurl } from './purl.js';

const SPEC_VERSIONS = new Set(['1.4', '1.5', '1.6']);

function props(c: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of arr(c.properties))
    if (isObj(p) && typeof p.name === 'string' && typeof p.value === 'string') out.set(p.name, p.value);
  return out;
}

function layerFrom(p: Map<string, string>, prefix: string): LayerRef | undefined {
  const index = p.get(`${prefix}:index`);
  if (index === undefined || !/^\d+$/.test(index)) return undefined;
  const createdBy = p.get(`${prefix}:createdBy`);
  return {
    index: Number(index),
    digest: p.get(`${prefix}:digest`) ?? '',
    diffId: p.get(`${prefix}:diffId`) ?? '',
    mediaType: '',
    size: 0,
    ...(createdBy ? { createdBy } : {}),
  };
}

function extraFrom(c: Record<string, unknown>): Partial<Package> {
  const p = props(c);
  const extra: Partial<Package> = {};
  const sourceName = p.get('bulwark:source:name');
  const sourceVersion = p.get('bulwark:source:version');
  if (sourceName) extra.sourceName = sourceName;
  if (sourceVersion) extra.sourceVersion = sourceVersion;
  const layer = layerFrom(p, 'bulwark:layer');
  if (layer) extra.layer = layer;
  const locations: Package['locations'] = [];
  for (let i = 0; p.has(`bulwark:location:${i}:path`); i++) {
    const idx = p.get(`bulwark:location:${i}:layer:index`);
    const at = idx !== undefined && layer && Number(idx) === layer.index ? layer : undefined;
    locations.push({ path: p.get(`bulwark:location:${i}:path`)!, ...(at ? { layer: at } : {}) });
  }
  if (locations.length) extra.locations = locations;
  const foundBy = p.get('bulwark:package:foundBy');
  if (foundBy) extra.foundBy = foundBy;
  const ref = str(c['bom-ref']);
  if (ref) extra.id = ref;
  const licenses = arr(c.licenses)
    .map((l) =>
      isObj(l)
        ? (str(l.expression) ?? (isObj(l.license) ? (str(l.license.id) ?? str(l.license.name)) : undefined))
        : undefined,
    )
    .filter((x): x is string => !!x);
  if (licenses.length) extra.licenses = licenses;
  return extra;
}

export function readCycloneDx(doc: Record<string, unknown>, ctx: ReadContext): Sbom {
  const spec = str(doc.specVersion);
  if (!spec || !SPEC_VERSIONS.has(spec)) {
    throw new InputError(
      'E_SBOM_VERSION',
      `${ctx.target}: CycloneDX ${spec ?? '(no specVersion)'} is not supported (1.4, 1.5 or 1.6 JSON)`,
    );
  }
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  const relationships: Relationship[] = [];
  let distro: Distro | undefined;
  let count = 0;
  const visit = (list: unknown[], where: string): void => {
    list.forEach((c, i) => {
      if (!isObj(c)) return;
      if (++count > MAX_PACKAGES)
        throw new InputError('E_TOO_LARGE', `${ctx.target}: more than ${MAX_PACKAGES} components`);
      const at = `${where}[${i}]`;
      if (c.type === 'operating-system' && !distro && typeof c.name === 'string') {
        const p = props(c);
        const version = str(c.version);
        const prettyName = p.get('bulwark:distro:prettyName') ?? str(c.description);
        const codename = p.get('bulwark:distro:versionCodename');
        distro = {
          id: c.name.toLowerCase(),
          ...(version ? { versionId: version } : {}),
          ...(codename ? { versionCodename: codename } : {}),
          ...(prettyName ? { prettyName } : {}),
          idLike: (p.get('bulwark:distro:idLike') ?? '').split(' ').filter(Boolean),
        };
      }
      const purl = str(c.purl);
      if (purl) {
        const r = packageFromPurl(purl, extraFrom(c));
        if (r.ok) {
          packages.push(r.pkg);
          // Bulwark's own link to the OS package that owns this package's files (see the SBOM writer).
          const owner = props(c).get('bulwark:ownedBy:ref');
          if (owner) relationships.push({ from: owner, to: r.pkg.id, type: 'ownership-by-file-overlap' });
        } else unknowns.push({ path: `${ctx.target}#${at}`, reason: r.reason, cataloger: 'sbom' });
      } else if (
        c.type !== 'operating-system' &&
        c.type !== 'container' &&
        c.type !== 'file' &&
        c.type !== 'application'
      ) {
        unknowns.push({
          path: `${ctx.target}#${at}`,
          reason: `component ${str(c.name) ?? '?'} has no purl: not matched`,
          cataloger: 'sbom',
        });
      }
      visit(arr(c.components), `${at}.components`);
    });
  };
  visit(arr(doc.components), 'components');
  return assemble(ctx, packages, unknowns, distro, relationships);
}
