/**
 * npm's package-lock.json and npm-shrinkwrap.json.
 *
 * - v2/v3: the flat `packages` map keyed by install path (`node_modules/a/node_modules/b`); `""` is the
 *   root project, other keys without `node_modules/` are workspace folders. One package per
 *   `node_modules/…` key (the same name@version installed at two paths is two installs).
 * - v1: the nested `dependencies` tree with `requires`.
 *
 * Dependencies are resolved the way Node resolves `require()`: the nearest `node_modules` folder up
 * from the dependent's install path.
 */
import { normalizeLicense } from '../../license.js';
import type { DependencyScope, Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  lockError,
  parseJson,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { isProjectManifest, siblingManifest, type NpmManifest } from './manifest.js';

const NM = 'node_modules/';

/** The package name implied by an install path: what follows its last `node_modules/`. */
function nameFromPath(path: string): string {
  return path.slice(path.lastIndexOf(NM) + NM.length);
}

/** Candidate install paths for `name` required from the package installed at `from` (`''` = root). */
function* lookupPaths(from: string, name: string): Generator<string> {
  let base = from;
  for (;;) {
    yield base ? `${base}/${NM}${name}` : `${NM}${name}`;
    if (base === '') return;
    const idx = base.lastIndexOf(`/${NM}`);
    base = idx >= 0 ? base.slice(0, idx) : '';
  }
}

function resolve<T>(index: Map<string, T>, from: string, name: string): T | undefined {
  for (const candidate of lookupPaths(from, name)) {
    const hit = index.get(candidate);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function scopeOf(entry: JsonRecord): DependencyScope {
  // An optional dependency of a dev dependency has both flags: it is only installed for development.
  if (entry.dev === true) return 'dev';
  if (entry.optional === true || entry.devOptional === true) return 'optional';
  if (entry.peer === true) return 'peer';
  return 'prod';
}

function depNames(entry: JsonRecord, fields: readonly string[]): string[] {
  const names = new Set<string>();
  for (const f of fields) for (const [n] of entries(entry[f])) names.add(n);
  return [...names].sort();
}

const RUNTIME_DEPS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;
const PROJECT_DEPS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function licensesOf(entry: JsonRecord): string[] {
  const declared = str(entry.license);
  const n = declared ? normalizeLicense(declared) : undefined;
  return n ? [n] : [];
}

/** `npm:real-name@1.2.3` (an alias in v1 trees) → real name and version. */
function splitAlias(version: string): { name: string; version: string } | undefined {
  if (!version.startsWith('npm:')) return undefined;
  const spec = version.slice(4);
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

function parsePackagesMap(packages: JsonRecord, out: LockBuilder, lockfileVersion: number | undefined): void {
  const byPath = new Map<string, Package>();
  const installs: [string, JsonRecord][] = [];
  for (const [path, raw] of entries(packages)) {
    if (!path.includes(NM)) continue;
    if (!isRecord(raw)) {
      out.problem(`${path}: entry is not an object`);
      continue;
    }
    const target = raw.link === true ? packages[str(raw.resolved) ?? ''] : undefined;
    const source = isRecord(target) ? target : raw;
    const name = str(raw.name) ?? str(source.name) ?? nameFromPath(path);
    const version = str(raw.version) ?? str(source.version);
    if (!version) {
      out.problem(`${path}: no version`);
      continue;
    }
    const pkg = out.add({
      key: path,
      name,
      version,
      type: 'npm',
      scope: scopeOf(raw),
      direct: false,
      licenses: licensesOf(source),
      metadata: {
        path,
        resolved: str(raw.resolved),
        integrity: str(raw.integrity),
        link: raw.link === true ? true : undefined,
        inBundle: raw.inBundle === true ? true : undefined,
        lockfileVersion,
      },
    });
    byPath.set(path, pkg);
    installs.push([path, raw]);
  }

  for (const [path, raw] of installs) {
    const from = byPath.get(path)!;
    // A workspace link's dependencies are those of its folder, resolved from that folder.
    const folder = raw.link === true ? str(raw.resolved) : undefined;
    const target = folder !== undefined ? packages[folder] : undefined;
    const entry = isRecord(target) ? target : raw;
    const base = folder ?? path;
    for (const dep of depNames(entry, folder !== undefined ? PROJECT_DEPS : RUNTIME_DEPS)) {
      out.dependsOn(from, resolve(byPath, base, dep));
    }
  }

  // Direct: what the root project and the workspace folders declare.
  for (const [path, raw] of entries(packages)) {
    if (path.includes(NM) || !isRecord(raw)) continue;
    const rootName = path === '' ? str(raw.name) : undefined;
    for (const dep of depNames(raw, PROJECT_DEPS)) {
      const pkg = resolve(byPath, path, dep);
      if (!pkg) continue;
      pkg.direct = true;
      if (rootName && pkg.metadata) pkg.metadata.project = rootName;
    }
  }
}

interface V1Install {
  path: string;
  entry: JsonRecord;
  pkg: Package;
}

function parseDependencyTree(root: JsonRecord, out: LockBuilder, manifest: NpmManifest | undefined): void {
  const byPath = new Map<string, Package>();
  const installs: V1Install[] = [];
  // Iterative walk: lock files from hostile sources can nest deeply.
  const stack: { parent: string; deps: unknown }[] = [{ parent: '', deps: root.dependencies }];
  while (stack.length > 0) {
    const { parent, deps } = stack.pop()!;
    for (const [key, raw] of entries(deps)) {
      const path = parent ? `${parent}/${NM}${key}` : `${NM}${key}`;
      if (!isRecord(raw)) {
        out.problem(`${path}: entry is not an object`);
        continue;
      }
      const written = str(raw.version);
      if (!written) {
        out.problem(`${path}: no version`);
        continue;
      }
      const alias = splitAlias(written);
      const pkg = out.add({
        key: path,
        name: alias?.name ?? key,
        version: alias?.version ?? written,
        type: 'npm',
        scope: scopeOf(raw),
        direct: manifest ? false : undefined,
        metadata: {
          path,
          resolved: str(raw.resolved),
          integrity: str(raw.integrity),
          alias: alias ? key : undefined,
          inBundle: raw.bundled === true ? true : undefined,
          lockfileVersion: 1,
        },
      });
      byPath.set(path, pkg);
      installs.push({ path, entry: raw, pkg });
      if (isRecord(raw.dependencies)) stack.push({ parent: path, deps: raw.dependencies });
    }
  }
  for (const { path, entry, pkg } of installs) {
    for (const [dep] of entries(entry.requires)) out.dependsOn(pkg, resolve(byPath, path, dep));
  }
  if (manifest) {
    for (const section of [
      manifest.dependencies,
      manifest.devDependencies,
      manifest.optionalDependencies,
      manifest.peerDependencies,
    ]) {
      for (const dep of section.keys()) {
        const pkg = resolve(byPath, '', dep);
        if (!pkg) continue;
        pkg.direct = true;
        if (manifest.name && pkg.metadata) pkg.metadata.project = manifest.name;
      }
    }
  }
}

async function parsePackageLock(input: LockFileInput, out: LockBuilder): Promise<void> {
  const doc = parseJson(input.text, 'package-lock');
  if (!isRecord(doc)) throw lockError('package-lock: top level is not an object');
  const version = typeof doc.lockfileVersion === 'number' ? doc.lockfileVersion : undefined;
  if (isRecord(doc.packages)) {
    parsePackagesMap(doc.packages, out, version);
  } else if (isRecord(doc.dependencies)) {
    // v1 has no record of the root's own dependencies: the package.json beside it does.
    const manifest = await siblingManifest(input);
    parseDependencyTree(doc, out, manifest);
  } else if (doc.dependencies === undefined && doc.packages === undefined && version !== undefined) {
    return; // a project without dependencies
  } else {
    throw lockError('package-lock: neither a "packages" nor a "dependencies" object');
  }
}

/** package-lock.json and npm-shrinkwrap.json (lockfileVersion 1, 2 and 3). */
export const packageLockCataloger = defineLockCataloger({
  id: 'npm-package-lock',
  version: 3,
  primary: (base) => base === 'package-lock.json' || base === 'npm-shrinkwrap.json',
  companions: isProjectManifest,
  parse: parsePackageLock,
});
