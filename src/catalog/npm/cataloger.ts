/**
 * Installed npm packages: every `package.json` at a package root inside `node_modules` (nested,
 * scoped, bundled; Node's own bundled npm under `/usr/lib/node_modules` included), plus a
 * `package.json` outside `node_modules` only when it describes a real package (name and version,
 * not `private`) — an application's own manifest is not a dependency.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile } from '../types.js';
import { normalizeLicenses } from '../license.js';
import { catalogEachFile, type ResultBuilder, isRecord, locationOf, parseJson, stringField } from '../kit.js';

const ID = 'npm-installed';

/** `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
const PACKAGE_ROOT = /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;

/**
 * Folders of other ecosystems' installed packages: a package.json there is part of a gem or a Python
 * distribution (e.g. a VS Code extension manifest inside a gem), not an installed npm package.
 */
const OTHER_ECOSYSTEM_PACKAGE = /\/gems\/[^/]+\/|\/(?:site-packages|dist-packages|vendor_ruby)\//;

export function isNodeModulesPackageRoot(path: string): boolean {
  return PACKAGE_ROOT.test(path);
}

export const npmInstalledCataloger: Cataloger = {
  id: ID,
  version: 2,
  maxFileSize: 4 * 1024 * 1024,
  match(path) {
    if (!path.endsWith('/package.json')) return false;
    // Files nested inside a package (test fixtures, `dist/package.json` type markers) are not packages.
    if (path.includes('/node_modules/')) return PACKAGE_ROOT.test(path);
    return !OTHER_ECOSYSTEM_PACKAGE.test(path);
  },
  catalog: (view) => catalogEachFile(ID, view, catalogFile),
};

function catalogFile(out: ResultBuilder, file: CatalogFile, buf: Buffer): void {
  const inModules = file.path.includes('/node_modules/');
  const doc = parseJson(buf, 'package.json');
  if (!isRecord(doc)) throw new Error('package.json is not a JSON object');
  const name = stringField(doc, 'name');
  const version = stringField(doc, 'version');
  if (!inModules) {
    // Outside node_modules only real, publishable packages count; anything else is silently an app.
    if (!name || !version || doc['private'] === true) return;
  } else if (!name || !version) {
    throw new Error(`package.json lacks ${!name ? 'a name' : 'a version'}`);
  }
  if (name.length > 214 || !/^(?:@[^/\s]+\/)?[^/\s]+$/.test(name))
    throw new Error(`invalid npm package name ${JSON.stringify(name.slice(0, 80))}`);
  const scoped = name.startsWith('@');
  const slash = name.indexOf('/');
  const purl = new PackageURL(
    'npm',
    scoped ? name.slice(0, slash) : undefined,
    scoped ? name.slice(slash + 1) : name,
    version,
  ).toString();
  const metadata: Record<string, unknown> = {};
  const homepage = stringField(doc, 'homepage');
  if (homepage) metadata['homepage'] = homepage;
  const author = authorOf(doc['author']);
  if (author) metadata['author'] = author;
  if (doc['private'] === true) metadata['private'] = true;
  out.add({
    id: out.tempId(`${name}@${version}:${file.path}`),
    name,
    version,
    type: 'npm',
    purl,
    licenses: normalizeLicenses(declaredLicenses(doc)),
    locations: [locationOf(file)],
    foundBy: ID,
    ...(file.layer ? { layer: file.layer } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  });
}

/** `license` as a string/SPDX expression or legacy `{type}`; legacy `licenses` as array or string. */
export function declaredLicenses(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const take = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (isRecord(v) && typeof v['type'] === 'string') out.push(v['type']);
  };
  take(doc['license']);
  const list = doc['licenses'];
  if (Array.isArray(list)) list.slice(0, 50).forEach(take);
  else take(list);
  return out;
}

function authorOf(a: unknown): string | undefined {
  if (typeof a === 'string') return a.slice(0, 200);
  if (isRecord(a) && typeof a['name'] === 'string') return a['name'].slice(0, 200);
  return undefined;
}
