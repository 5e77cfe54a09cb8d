/** `apk-db`: Alpine (and Wolfi/Chainguard) packages from `/lib/apk/db/installed`, with layer attribution. */
import { attributeLayers } from '../attribution.js';
import parseSpdx from 'spdx-expression-parse';
import { normalizeLicenses } from '../license.js';
import { osPurl } from '../os/purl.js';
import type {
  CatalogContext,
  CatalogFile,
  Cataloger,
  CatalogResult,
  FileView,
  Package,
  Unknown,
} from '../types.js';
import { parseInstalled, type ApkEntry } from './installed.js';

const ID = 'apk-db';
const INSTALLED = '/lib/apk/db/installed';
const MAX_PROBLEMS = 10;

async function catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> {
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const file of view.files()) {
    if (file.path !== INSTALLED) continue;
    let versions;
    try {
      versions = await file.history();
    } catch (err) {
      unknowns.push(unknown(file, `cannot read: ${err instanceof Error ? err.message : String(err)}`));
      continue;
    }
    const problems: string[] = [];
    const attributed = attributeLayers(versions, {
      parse: (content, latest) => {
        const parsed = parseInstalled(content.toString('utf8'));
        if (latest) problems.push(...parsed.problems);
        return parsed.entries;
      },
      key: (e) => `${e.name}|${e.arch ?? ''}|${e.version}`,
    });
    for (const reason of problems.slice(0, MAX_PROBLEMS)) unknowns.push(unknown(file, reason));
    if (problems.length > MAX_PROBLEMS)
      unknowns.push(unknown(file, `${problems.length - MAX_PROBLEMS} more malformed packages`));
    for (const { item, since } of attributed)
      packages.push(toPackage(item, ctx, { path: file.path, layer: since.layer }));
  }
  return { packages, unknowns };
}

function unknown(file: CatalogFile, reason: string): Unknown {
  return { path: file.path, ...(file.layer ? { layer: file.layer } : {}), reason, cataloger: ID };
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
  } catch {
    return false;
  }
}

function toPackage(e: ApkEntry, ctx: CatalogContext, location: Package['locations'][number]): Package {
  const metadata: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) metadata[k] = v;
  };
  put('maintainer', e.maintainer);
  put('description', e.description);
  put('url', e.url);
  put('commit', e.commit);
  put('buildTime', e.buildTime);
  put('size', e.size);
  put('installedSize', e.installedSize);
  put('depends', e.depends);
  put('provides', e.provides);
  const sourceName = e.origin ?? e.name;
  return {
    id: '',
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
    ...(e.arch ? { arch: e.arch } : {}),
    locations: [location],
    ...(location.layer ? { layer: location.layer } : {}),
    foundBy: ID,
    files: e.files,
    metadata,
  };
}

/** The apk database cataloger. */
export const apkCataloger: Cataloger = {
  id: ID,
  version: 1,
  history: true,
  match: (path) => path === INSTALLED,
  catalog,
};
