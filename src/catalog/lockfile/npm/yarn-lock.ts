/**
 * yarn.lock, both generations:
 *
 * - classic (yarn 1): its own indentation syntax ({@link parseYarnClassic}); entries keyed by the
 *   descriptors (`name@range`) they satisfy. It records no root project, so direct and dev come from
 *   the package.json beside it when the scan has it.
 * - berry (yarn 2+): YAML with `__metadata`; entries have a `resolution` locator
 *   (`name@npm:1.2.3`); the project's workspaces are `workspace:` entries whose dependencies are the
 *   direct ones. `patch:` entries are the same package with a patch applied and fold into it.
 */
import type { Package } from '../../types.js';
import {
  compare,
  defineLockCataloger,
  entries,
  isRecord,
  isTrue,
  lockError,
  parseYaml,
  propagateScopes,
  siblingPath,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { isProjectManifest, manifestFrom, siblingManifest, type NpmManifest } from './manifest.js';
import { parseYarnClassic, type YarnObject } from './yarn-classic-syntax.js';
import { rethrowIfInternal } from '../../../util/errors.js';

/** Split `name@range` (scoped names start with `@`) into name and range. */
export function splitDescriptor(descriptor: string): { name: string; range: string } | undefined {
  const at = descriptor.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

interface Roots {
  prod: Package[];
  dev: Package[];
  optional: Package[];
  peer: Package[];
}

function emptyRoots(): Roots {
  return { prod: [], dev: [], optional: [], peer: [] };
}

/** Mark what a manifest declares as direct and collect scope roots; everything else is transitive. */
function applyManifest(
  manifest: NpmManifest,
  lookup: (name: string, range: string) => Package | undefined,
  roots: Roots,
): void {
  const sections: [Map<string, string>, keyof Roots][] = [
    [manifest.dependencies, 'prod'],
    [manifest.optionalDependencies, 'optional'],
    [manifest.peerDependencies, 'peer'],
    [manifest.devDependencies, 'dev'],
  ];
  for (const [section, scope] of sections) {
    for (const [name, range] of section) {
      const pkg = lookup(name, range);
      if (!pkg) continue;
      pkg.direct = true;
      roots[scope].push(pkg);
    }
  }
}

function parseClassic(text: string, out: LockBuilder, manifest: NpmManifest | undefined): void {
  const doc = parseYarnClassic(text);
  const byDescriptor = new Map<string, Package>();
  const seen = new Map<YarnObject, Package>();
  const bodies: [Package, YarnObject][] = [];
  for (const [descriptor, value] of Object.entries(doc).sort(([a], [b]) => compare(a, b))) {
    if (typeof value !== 'object') {
      out.problem(`${descriptor}: not an entry`);
      continue;
    }
    let pkg = seen.get(value);
    if (!pkg) {
      const parsed = splitDescriptor(descriptor);
      const version = typeof value.version === 'string' ? value.version : undefined;
      if (!parsed || !version) {
        out.problem(`${descriptor}: ${parsed ? 'no version' : 'not a name@range descriptor'}`);
        continue;
      }
      // `alias@npm:real@^1` installs `real` under the name `alias`.
      const aliased = parsed.range.startsWith('npm:') ? splitDescriptor(parsed.range.slice(4)) : undefined;
      const name = aliased?.name ?? parsed.name;
      pkg = out.add({
        name,
        version,
        type: 'npm',
        direct: manifest ? false : undefined,
        metadata: {
          resolved: typeof value.resolved === 'string' ? value.resolved : undefined,
          integrity: typeof value.integrity === 'string' ? value.integrity : undefined,
          alias: aliased ? parsed.name : undefined,
        },
      });
      seen.set(value, pkg);
      bodies.push([pkg, value]);
    }
    byDescriptor.set(descriptor, pkg);
  }
  for (const [pkg, body] of bodies) {
    for (const field of ['dependencies', 'optionalDependencies']) {
      const deps = body[field];
      if (typeof deps !== 'object') continue;
      for (const [name, range] of Object.entries(deps)) {
        if (typeof range === 'string') out.dependsOn(pkg, byDescriptor.get(`${name}@${range}`));
      }
    }
  }
  if (manifest) {
    const roots = emptyRoots();
    applyManifest(manifest, (name, range) => byDescriptor.get(`${name}@${range}`), roots);
    propagateScopes(out, roots);
  }
}

/** Locator `patch:name@npm%3A1.0.0#…` → the locator it patches (`name@npm:1.0.0`). */
function patchedLocator(resolution: string): string | undefined {
  const parsed = splitDescriptor(resolution);
  if (!parsed?.range.startsWith('patch:')) return undefined;
  const inner = parsed.range.slice('patch:'.length).split('#')[0] ?? '';
  try {
    return decodeURIComponent(inner);
  } catch (err) {
    rethrowIfInternal(err);
    return undefined;
  }
}

async function parseBerry(doc: JsonRecord, input: LockFileInput, out: LockBuilder): Promise<void> {
  const byLocator = new Map<string, Package>();
  const descriptorToLocator = new Map<string, string>();
  const bodies: [string, JsonRecord][] = [];
  for (const [key, body] of entries(doc)) {
    if (key === '__metadata') continue;
    if (!isRecord(body)) {
      out.problem(`${key}: not an entry`);
      continue;
    }
    const resolution = str(body.resolution);
    if (!resolution) {
      out.problem(`${key}: no resolution`);
      continue;
    }
    for (const d of key.split(',')) descriptorToLocator.set(d.trim(), resolution);
    bodies.push([resolution, body]);
  }
  // Packages first (so patch entries can point at them), then edges.
  for (const [resolution, body] of bodies) {
    const parsed = splitDescriptor(resolution);
    if (!parsed) {
      out.problem(`${resolution}: not a name@reference locator`);
      continue;
    }
    if (parsed.range.startsWith('workspace:') || parsed.range.startsWith('patch:')) continue;
    const version = str(body.version);
    if (!version) {
      out.problem(`${resolution}: no version`);
      continue;
    }
    byLocator.set(
      resolution,
      out.add({
        key: resolution,
        name: parsed.name,
        version,
        type: 'npm',
        direct: false,
        metadata: { resolution, checksum: str(body.checksum), linkType: str(body.linkType) },
      }),
    );
  }
  const packageFor = (locator: string | undefined): Package | undefined => {
    if (!locator) return undefined;
    const patched = patchedLocator(locator);
    return byLocator.get(patched ?? locator);
  };
  const lookup = (name: string, range: string): Package | undefined => {
    const locator =
      descriptorToLocator.get(`${name}@${range}`) ?? descriptorToLocator.get(`${name}@npm:${range}`);
    return packageFor(locator);
  };

  const roots = emptyRoots();
  for (const [resolution, body] of bodies) {
    const parsed = splitDescriptor(resolution);
    if (!parsed || parsed.range.startsWith('patch:')) continue;
    const optional = new Set(
      entries(body.dependenciesMeta)
        .filter(([, meta]) => isRecord(meta) && isTrue(meta.optional))
        .map(([n]) => n),
    );
    if (parsed.range.startsWith('workspace:')) {
      // A workspace's lock entry merges dependencies and devDependencies; its package.json says which is which.
      const folder = parsed.range.slice('workspace:'.length);
      const manifestText = await input.companion(siblingPath(input.file.path, `${folder}/package.json`));
      let manifest: NpmManifest | undefined;
      try {
        manifest = manifestText === undefined ? undefined : manifestFrom(JSON.parse(manifestText));
      } catch (err) {
        rethrowIfInternal(err);
        manifest = undefined;
      }
      for (const [name, range] of entries(body.dependencies)) {
        if (typeof range !== 'string') continue;
        const pkg = lookup(name, range);
        if (!pkg) continue;
        pkg.direct = true;
        const scope =
          optional.has(name) || manifest?.optionalDependencies.has(name)
            ? 'optional'
            : manifest?.devDependencies.has(name) && !manifest.dependencies.has(name)
              ? 'dev'
              : manifest
                ? 'prod'
                : undefined;
        if (scope) roots[scope].push(pkg);
      }
      continue;
    }
    const from = byLocator.get(resolution);
    for (const [name, range] of entries(body.dependencies)) {
      if (typeof range === 'string') out.dependsOn(from, lookup(name, range));
    }
  }
  if (roots.prod.length + roots.dev.length + roots.optional.length > 0) propagateScopes(out, roots);
}

async function parseYarnLock(input: LockFileInput, out: LockBuilder): Promise<void> {
  // Berry files are YAML and always carry `__metadata`; classic files never do.
  if (/^__metadata:/m.test(input.text)) {
    const doc = parseYaml(input.text, 'yarn.lock');
    if (!isRecord(doc)) throw lockError('yarn.lock: top level is not a mapping');
    await parseBerry(doc, input, out);
    return;
  }
  parseClassic(input.text, out, await siblingManifest(input));
}

/** yarn.lock (classic v1 and berry v2+). */
export const yarnLockCataloger = defineLockCataloger({
  id: 'yarn-lock',
  version: 3,
  primary: (base) => base === 'yarn.lock',
  companions: isProjectManifest,
  parse: parseYarnLock,
});
