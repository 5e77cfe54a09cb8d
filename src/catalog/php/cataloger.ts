/**
 * Composer packages installed in a `vendor/` folder: `vendor/composer/installed.json`, in the v1
 * layout (a top-level array) and the v2 layout (`{packages: […], dev: bool, dev-package-names: […]}`).
 * `require` links between installed packages become depends-on relationships.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile } from '../types.js';
import { normalizeLicenses } from '../license.js';
import { catalogEachFile, type ResultBuilder, isRecord, locationOf, parseJson, stringField } from '../kit.js';

const ID = 'php-composer-installed';
const NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/i;

export const phpComposerInstalledCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 32 * 1024 * 1024,
  match: (path) => path.endsWith('/composer/installed.json'),
  catalog: (view) => catalogEachFile(ID, view, catalogFile),
};

function catalogFile(out: ResultBuilder, file: CatalogFile, buf: Buffer): void {
  const doc = parseJson(buf, 'installed.json');
  let list: unknown[];
  let devNames = new Set<string>();
  if (Array.isArray(doc)) list = doc;
  else if (isRecord(doc) && Array.isArray(doc['packages'])) {
    list = doc['packages'];
    const dev = doc['dev-package-names'];
    if (Array.isArray(dev))
      devNames = new Set(dev.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase()));
  } else throw new Error('installed.json is neither a package list (v1) nor an object with packages (v2)');

  const byName = new Map<string, string>();
  const requires: [string, string[]][] = [];
  list.forEach((entry, i) => {
    const name = stringField(entry, 'name');
    const version = stringField(entry, 'version');
    if (!isRecord(entry) || !name || !version || !NAME.test(name)) {
      // One bad element does not void the others.
      out.unknown(file, `installed.json package #${i} lacks a valid name or version`);
      return;
    }
    const [vendor, pkgName] = name.split('/') as [string, string];
    const lic = entry['license'];
    const licenses = Array.isArray(lic)
      ? lic.filter((x): x is string => typeof x === 'string')
      : typeof lic === 'string'
        ? [lic]
        : [];
    const metadata: Record<string, unknown> = {};
    for (const k of ['type', 'version_normalized', 'homepage'] as const) {
      const v = stringField(entry, k);
      if (v) metadata[k === 'version_normalized' ? 'versionNormalized' : k] = v;
    }
    const dist = entry['dist'];
    if (isRecord(dist) && typeof dist['reference'] === 'string') metadata['reference'] = dist['reference'];
    const id = out.add({
      id: out.tempId(`${name}@${version}:${file.path}`),
      name,
      version,
      type: 'composer',
      purl: new PackageURL('composer', vendor, pkgName, version).toString(),
      licenses: normalizeLicenses(licenses),
      locations: [locationOf(file)],
      foundBy: ID,
      ...(file.layer ? { layer: file.layer } : {}),
      scope: devNames.has(name.toLowerCase()) ? 'dev' : 'prod',
      ...(Object.keys(metadata).length ? { metadata } : {}),
    }).id;
    byName.set(name.toLowerCase(), id);
    const req = entry['require'];
    if (isRecord(req)) requires.push([id, Object.keys(req)]);
  });
  for (const [from, names] of requires) {
    for (const n of names) {
      // php, ext-*, lib-* are platform requirements, not packages; they never appear in the map.
      const to = byName.get(n.toLowerCase());
      if (to) out.relate(from, to, 'depends-on');
    }
  }
}
