/**
 * `dpkg-db`: Debian-family packages from the dpkg database, with owned files (`info/*.list`, or the
 * distroless `status.d/*.md5sums`), licences from DEP-5 copyright files and layer attribution.
 */
import { normalizeLicenses } from '../license.js';
import { attributeTextDatabase, osPackage } from '../os/common.js';
import { osPurl } from '../os/purl.js';
import type {
  CatalogContext,
  CatalogFile,
  Cataloger,
  CatalogResult,
  FileView,
  Location,
  Package,
  Unknown,
} from '../types.js';
import { copyrightLicenses } from './copyright.js';
import { parseStatus, type DpkgEntry } from './status.js';
import { pushAll } from '../../util/arrays.js';
import { rethrowIfInternal } from '../../util/errors.js';

const ID = 'dpkg-db';
const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';
const DOC = /^\/usr\/share\/doc\/[^/]+\/copyright$/;

function match(path: string): boolean {
  if (path === STATUS) return true;
  if (path.startsWith(STATUS_D)) return !path.slice(STATUS_D.length).includes('/');
  if (path.startsWith(INFO)) return path.endsWith('.list') && !path.slice(INFO.length).includes('/');
  return DOC.test(path);
}

async function catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> {
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const file of view.files()) {
    const distroless = file.path.startsWith(STATUS_D);
    if (file.path !== STATUS && !distroless) continue;
    if (distroless && file.path.endsWith('.md5sums')) continue;
    const read = await attributeTextDatabase(ID, file, parseStatus, 'malformed paragraphs');
    pushAll(unknowns, read.unknowns);
    for (const { item, since } of read.attributed) {
      const files = distroless
        ? await md5sumsFiles(view, `${file.path}.md5sums`)
        : await listFiles(view, item);
      const licenses = await licensesOf(view, item.name);
      packages.push(toPackage(item, ctx, files, licenses, { path: file.path, layer: since.layer }));
    }
  }
  return { packages, unknowns };
}

function toPackage(
  e: DpkgEntry,
  ctx: CatalogContext,
  files: string[],
  licenses: string[],
  location: Location,
): Package {
  const metadata: Record<string, unknown> = {};
  if (e.maintainer) metadata.maintainer = e.maintainer;
  if (e.installedSize !== undefined) metadata.installedSize = e.installedSize;
  if (e.description) metadata.description = e.description;
  if (e.provides.length) metadata.provides = e.provides;
  if (e.depends.length) metadata.depends = e.depends;
  if (e.preDepends.length) metadata.preDepends = e.preDepends;
  return osPackage(ID, location, {
    name: e.name,
    version: e.version,
    type: 'deb',
    purl: osPurl('deb', ctx.distro, e.name, e.version, { arch: e.arch, upstream: upstream(e) }),
    licenses,
    sourceName: e.sourceName,
    sourceVersion: e.sourceVersion,
    arch: e.arch,
    files,
    metadata,
  });
}

/** The `upstream` qualifier names the source package when it differs (with its version if that differs too). */
function upstream(e: DpkgEntry): string | undefined {
  if (e.sourceName === e.name && e.sourceVersion === e.version) return undefined;
  return e.sourceVersion === e.version ? e.sourceName : `${e.sourceName}@${e.sourceVersion}`;
}

async function text(file: CatalogFile | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return (await file.read()).toString('utf8');
  } catch (err) {
    rethrowIfInternal(err);
    return undefined;
  }
}

/** `info/<pkg>:<arch>.list` (multi-arch) or `info/<pkg>.list`: one absolute path per line, directories included. */
async function listFiles(view: FileView, e: DpkgEntry): Promise<string[]> {
  const candidates = e.arch
    ? [`${INFO}${e.name}:${e.arch}.list`, `${INFO}${e.name}.list`]
    : [`${INFO}${e.name}.list`];
  for (const path of candidates) {
    const content = await text(view.get(path));
    if (content === undefined) continue;
    const paths = content
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('/') && l !== '/.');
    return ownedFiles(view, paths);
  }
  return [];
}

/** Distroless `status.d/<pkg>.md5sums`: `<md5>  <relative path>` lines (files only). */
async function md5sumsFiles(view: FileView, path: string): Promise<string[]> {
  const content = await text(view.get(path));
  if (content === undefined) return [];
  const paths: string[] = [];
  for (const line of content.split('\n')) {
    const m = /^[0-9a-f]{32}\s+\*?(.+)$/i.exec(line.trim());
    if (m) paths.push(`/${m[1]!.replace(/^\.?\/+/, '')}`);
  }
  return ownedFiles(view, paths);
}

/**
 * Drop directories: `.list` files name every directory a package touches (`/usr`, `/usr/share`…),
 * which would make every package "own" every other package's files. A path is a directory when the
 * final filesystem says so or when another listed path lies below it.
 */
function ownedFiles(view: FileView, paths: string[]): string[] {
  const unique = [...new Set(paths)];
  const parents = new Set<string>();
  for (const p of unique) {
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const parent = p.slice(0, i);
      if (parents.has(parent)) break; // its ancestors are already recorded
      parents.add(parent);
    }
  }
  return unique.filter((p) => !parents.has(p) && view.stat(p)?.type !== 'dir').sort();
}

async function licensesOf(view: FileView, name: string): Promise<string[]> {
  const content = await text(view.get(`/usr/share/doc/${name}/copyright`));
  return content === undefined ? [] : normalizeLicenses(copyrightLicenses(content));
}

/** The dpkg database cataloger. */
export const dpkgCataloger: Cataloger = {
  id: ID,
  version: 1,
  history: true,
  match,
  catalog,
};
