/**
 * Lock files shipped inside an installed package (an npm package's own yarn.lock, a gem's
 * Gemfile.lock, a Python distribution's requirements.txt, a vendored module's go.mod, anything a
 * Debian node-* or ruby-* package puts under /usr/share) describe what that package's authors locked
 * while developing it, not what is installed here: they are not read as the project's lock files.
 *
 * Two tests. By path, during the pass (nothing is buffered): a package-manager folder segment, or an
 * OS-owned language folder. By structure, at catalog time: an ancestor folder of the lock file
 * inside the scan that is itself an installed package — which also covers a folder scan whose root is
 * a `node_modules` (`fs://app/node_modules`) or a package in one.
 */
import { posix } from 'node:path';
import type { CatalogContext, FileView } from '../types.js';

const PACKAGE_FOLDER = String.raw`\/(?:node_modules|site-packages|dist-packages|vendor|bower_components)\/|\/gems\/[^/]+\/|\/\.cargo\/registry\/`;
/** Folders where distributions install language packages (Debian node-*, ruby-*; Fedora/Alpine nodejs). */
const OS_LANGUAGE_FOLDER = String.raw`^\/usr\/(?:share|lib|lib64)\/nodejs\/|^\/usr\/share\/rubygems-integration\/|\/vendor_ruby\/|^\/usr\/share\/javascript\/`;
const INSIDE_BY_PATH = new RegExp(`${PACKAGE_FOLDER}|${OS_LANGUAGE_FOLDER}`);
const PACKAGE_DIR_NAME = /\.(?:dist-info|egg-info|egg)$/;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** True when `path` lies in a package-manager or OS-owned language folder (by its path alone). */
export function isInsideInstalledPackage(path: string): boolean {
  return INSIDE_BY_PATH.test(path);
}

/**
 * True when the lock file at `path` lies inside a folder that is itself an installed package: a
 * `.dist-info`/`.egg-info`/`.egg` folder or one holding `PKG-INFO`/`EGG-INFO` (a built Python
 * distribution), an npm package (package.json with name and version) whose parent folder is a
 * `node_modules` (or a scope in one), or a gem folder next to its `specifications/<name>.gemspec`.
 * For a folder scan, the scan root's own real name and parents count (`fs://x/node_modules`).
 */
export async function isInsideInstalledPackageDir(
  path: string,
  view: FileView,
  ctx: CatalogContext,
): Promise<boolean> {
  // Checked again here: a layer cache written before a path rule existed may still hand such a file over.
  if (isInsideInstalledPackage(path)) return true;
  const rootPath = ctx.source.kind === 'directory' ? posix.resolve(ctx.source.path) : '/';
  // Folder scans: the root's own name counts, so `fs://app/node_modules` is a node_modules. Only its
  // name: a project that merely lives below some `vendor/` folder keeps its lock files.
  if (rootPath !== '/' && isInsideInstalledPackage(`/${posix.basename(rootPath)}${path}`)) return true;
  const realName = (dir: string): string => (dir === '/' ? posix.basename(rootPath) : posix.basename(dir));
  const realParentName = (dir: string): string =>
    dir === '/' ? posix.basename(posix.dirname(rootPath)) : realName(posix.dirname(dir));
  for (let dir = posix.dirname(path); ; dir = posix.dirname(dir)) {
    if (PACKAGE_DIR_NAME.test(realName(dir))) return true;
    const at = (name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
    // The scan root is the user's project: a PKG-INFO there is an sdist they chose to scan.
    if (dir !== '/' && (view.stat(at('PKG-INFO')) || view.stat(at('EGG-INFO')))) return true;
    if (await isNpmPackageInNodeModules(dir, at('package.json'), view, realParentName)) return true;
    if (isGemDir(dir, view, realName, realParentName)) return true;
    if (dir === '/') return false;
  }
}

async function isNpmPackageInNodeModules(
  dir: string,
  manifest: string,
  view: FileView,
  realParentName: (dir: string) => string,
): Promise<boolean> {
  const parent = realParentName(dir);
  const inModules =
    parent === 'node_modules' ||
    (parent.startsWith('@') && dir !== '/' && realParentName(posix.dirname(dir)) === 'node_modules');
  if (!inModules || view.stat(manifest)?.type !== 'file') return false;
  const file = view.get(manifest);
  // Not buffered (a custom cataloger list): a package.json directly in node_modules is a package.
  if (!file || file.size > MAX_MANIFEST_BYTES) return true;
  try {
    const doc = JSON.parse((await file.read()).toString('utf8')) as unknown;
    return (
      typeof doc === 'object' &&
      doc !== null &&
      typeof (doc as Record<string, unknown>)['name'] === 'string' &&
      typeof (doc as Record<string, unknown>)['version'] === 'string'
    );
  } catch {
    return false;
  }
}

/** `<gem home>/gems/<name>-<version>/` with `<gem home>/specifications/<name>-<version>.gemspec`. */
function isGemDir(
  dir: string,
  view: FileView,
  realName: (dir: string) => string,
  realParentName: (dir: string) => string,
): boolean {
  if (dir === '/' || realParentName(dir) !== 'gems') return false;
  const home = posix.dirname(posix.dirname(dir));
  const spec = `${home === '/' ? '' : home}/specifications/${realName(dir)}.gemspec`;
  return view.stat(spec)?.type === 'file';
}
