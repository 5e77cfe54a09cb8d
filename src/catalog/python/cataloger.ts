/**
 * Installed Python distributions: `*.dist-info/METADATA` (wheels, pip), `*.egg-info/PKG-INFO` and
 * `*.egg-info` files (setuptools, Debian's python3-* packages), and `.egg` archives or folders.
 * Owned files come from `RECORD` / `installed-files.txt` and are kept in metadata (`files`).
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile, FileView } from '../types.js';
import { normalizeLicenses } from '../license.js';
import { ResultBuilder, dirName, locationOf, resolvePath } from '../kit.js';
import { listZip, readZipEntry } from '../../util/zip.js';
import { parseMetadataHeaders, pythonLicenses } from './metadata.js';
import { pep503 } from '../../util/pep503.js';

const ID = 'python-installed';

const METADATA = /\.dist-info\/METADATA$/;
const EGG_INFO_DIR = /\.egg-info\/PKG-INFO$/;
const EGG_INFO_FILE = /\.egg-info$/;
const EGG_DIR = /\.egg\/EGG-INFO\/PKG-INFO$/;
const EGG_ZIP = /\.egg$/;
const RECORD = /\.dist-info\/RECORD$|\.egg-info\/installed-files\.txt$/;

/** Owned-file lists beyond this are truncated: the list is informational, not an identity. */
const MAX_FILES = 20_000;

export const pythonInstalledCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  match: (path) =>
    METADATA.test(path) ||
    EGG_INFO_DIR.test(path) ||
    EGG_INFO_FILE.test(path) ||
    EGG_DIR.test(path) ||
    EGG_ZIP.test(path) ||
    RECORD.test(path),
  async catalog(view) {
    const out = new ResultBuilder(ID);
    for (const file of view.files()) {
      if (RECORD.test(file.path)) continue; // read alongside its METADATA
      await out.guard(file, async () => {
        const buf = await file.read();
        if (EGG_ZIP.test(file.path)) {
          const entries = listZip(buf, 100_000);
          const info = entries.find((e) => e.name === 'EGG-INFO/PKG-INFO');
          if (!info) throw new Error('egg archive without EGG-INFO/PKG-INFO');
          await addDistribution(
            out,
            view,
            file,
            readZipEntry(buf, info, 16 * 1024 * 1024).toString('utf8'),
            'egg',
          );
        } else {
          await addDistribution(out, view, file, buf.toString('utf8'), kindOf(file.path));
        }
      });
    }
    return out.result();
  },
};

function kindOf(path: string): string {
  if (METADATA.test(path)) return 'dist-info';
  if (EGG_DIR.test(path)) return 'egg';
  return 'egg-info';
}

async function addDistributionFiles(view: FileView, file: CatalogFile): Promise<string[] | undefined> {
  // RECORD paths are relative to the site-packages folder holding the .dist-info folder;
  // installed-files.txt paths are relative to the .egg-info folder itself.
  const meta = dirName(file.path);
  let list: CatalogFile | undefined;
  let base: string;
  if (METADATA.test(file.path)) {
    list = view.get(`${meta}/RECORD`);
    base = dirName(meta);
  } else if (EGG_INFO_DIR.test(file.path)) {
    list = view.get(`${meta}/installed-files.txt`);
    base = meta;
  } else return undefined;
  if (!list) return undefined;
  const text = (await list.read()).toString('utf8');
  const files = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const rel = list.path.endsWith('RECORD') ? csvFirstField(line) : line.trim();
    if (rel) files.add(resolvePath(base, rel));
    if (files.size >= MAX_FILES) break;
  }
  return [...files].sort();
}

/** First field of a RECORD CSV line (paths with commas are double-quoted). */
function csvFirstField(line: string): string {
  if (!line.startsWith('"')) return line.split(',')[0]!;
  let out = '';
  for (let i = 1; i < line.length; i++) {
    if (line[i] === '"') {
      if (line[i + 1] === '"') {
        out += '"';
        i++;
      } else break;
    } else out += line[i];
  }
  return out;
}

function addDistribution(
  out: ResultBuilder,
  view: FileView,
  file: CatalogFile,
  text: string,
  kind: string,
): Promise<void> {
  const h = parseMetadataHeaders(text);
  const name = h.get('name')?.[0];
  const version = h.get('version')?.[0];
  if (!name || !version) throw new Error(`metadata lacks ${!name ? 'Name' : 'Version'}`);
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name))
    throw new Error(`invalid distribution name ${JSON.stringify(name.slice(0, 60))}`);
  const metadata: Record<string, unknown> = { kind, normalizedName: pep503(name) };
  const summary = h.get('summary')?.[0];
  if (summary) metadata['summary'] = summary.slice(0, 300);
  const requires = h.get('requires-dist');
  if (requires?.length) metadata['requiresDist'] = requires.slice(0, 500);
  const sitePackages =
    kind === 'egg' && EGG_ZIP.test(file.path) ? dirName(file.path) : dirName(dirName(file.path));
  metadata['sitePackages'] =
    kind === 'egg' && !EGG_ZIP.test(file.path) ? dirName(dirName(dirName(file.path))) : sitePackages;
  const pkg = out.add({
    id: out.tempId(`${name}@${version}:${file.path}`),
    name,
    version,
    type: 'pypi',
    purl: new PackageURL('pypi', undefined, pep503(name), version).toString(),
    licenses: normalizeLicenses(pythonLicenses(h)),
    locations: [locationOf(file)],
    foundBy: ID,
    ...(file.layer ? { layer: file.layer } : {}),
    metadata,
  });
  return addDistributionFiles(view, file).then((files) => {
    if (files?.length) pkg.metadata = { ...pkg.metadata, files };
  });
}
