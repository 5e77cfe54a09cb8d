/** `apk-db`: Alpine (and Wolfi/Chainguard) packages from `/lib/apk/db/installed`, with layer attribution. */
import parseSpdx from 'spdx-expression-parse';
import { normalizeLicenses } from '../license.js';
import { attributeTextDatabase, osPackage, presentFields } from '../os/common.js';
import { osPurl } from '../os/purl.js';
import type {
  CatalogContext,
  Cataloger,
  CatalogResult,
  FileView,
  Location,
  Package,
  Unknown,
} from '../types.js';
import { parseInstalled, type ApkEntry } from './installed.js';
import { pushAll } from '../../util/arrays.js';
import { rethrowIfInternal } from '../../util/errors.js';

const ID = 'apk-db';
const INSTALLED = '/lib/apk/db/installed';

async function catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> {
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const file of view.files()) {
    if (file.path !== INSTALLED) continue;
    const read = await attributeTextDatabase(ID, file, parseInstalled, 'malformed packages');
    pushAll(unknowns, read.unknowns);
    for (const { item, since } of read.attributed)
      packages.push(toPackage(item, ctx, { path: file.path, layer: since.layer }));
  }
  return { packages, unknowns };
}

/**
 * apk `L:` is an SPDX expression on current Alpine (`MIT AND BSD-2-Clause`) but a space-separated
 * list on older releases (`MIT BSD`). Split only when every word is itself a valid SPDX id, so that
 * a phrase such as `Public Domain` stays whole (and nothing is guessed from a fragment).
 */
export function apkLicenses(field: string | undefined): string[] {
  const text = field?.trim();
  if (!text) return [];
  const words = text.split(/\s+/);
  if (words.length > 1 && !/\s(AND|OR|WITH)\s/i.test(text) && words.every(isSpdx))
    return normalizeLicenses(words);
  return normalizeLicenses([text]);
}

function isSpdx(word: string): boolean {
  try {
    parseSpdx(word);
    return true;
  } catch (err) {
    rethrowIfInternal(err);
    return false;
  }
}

function toPackage(e: ApkEntry, ctx: CatalogContext, location: Location): Package {
  const metadata = presentFields({
    maintainer: e.maintainer,
    description: e.description,
    url: e.url,
    commit: e.commit,
    buildTime: e.buildTime,
    size: e.size,
    installedSize: e.installedSize,
    depends: e.depends,
    provides: e.provides,
  });
  const sourceName = e.origin ?? e.name;
  return osPackage(ID, location, {
    name: e.name,
    version: e.version,
    type: 'apk',
    purl: osPurl('apk', ctx.distro, e.name, e.version, {
      arch: e.arch,
      upstream: sourceName !== e.name ? sourceName : undefined,
    }),
    licenses: apkLicenses(e.license),
    // apk builds every subpackage from its origin at the same version.
    sourceName,
    sourceVersion: e.version,
    arch: e.arch,
    files: e.files,
    metadata,
  });
}

/** The apk database cataloger. */
export const apkCataloger: Cataloger = {
  id: ID,
  version: 1,
  history: true,
  match: (path) => path === INSTALLED,
  catalog,
};
