/**
 * Maven pom.xml: the dependencies a project declares, with versions resolved locally and offline.
 *
 * - `${…}` placeholders are interpolated from `<properties>`, `project.*` / `pom.*` built-ins and the
 *   parent's properties.
 * - The parent is read when it is in the scan at `<relativePath>` (default `../pom.xml`) and its
 *   coordinates match; its properties and `<dependencyManagement>` apply, recursively.
 * - A dependency without a version takes it from `<dependencyManagement>` (own, then parents').
 * - Scope `test` is dev; `<optional>true</optional>` is optional; other scopes are prod (the Maven
 *   scope is kept in metadata). Every declared dependency is direct; a pom has no transitive graph.
 *
 * Not done (needs the network or a full Maven model): import-scoped BOMs, remote parents, profiles,
 * inherited `<dependencies>` of the parent (the parent pom is cataloged on its own when present).
 */
import { posix } from 'node:path';
import type { DependencyScope } from '../../types.js';
import { defineLockCataloger, lockError, purlFor, type LockBuilder, type LockFileInput } from '../common.js';
import { child, childText, childrenNamed, parseXml, type XmlElement } from './xml.js';
import { rethrowIfInternal } from '../../../util/errors.js';

const MAX_PARENTS = 10;
const MAX_INTERPOLATION_ROUNDS = 10;

interface Declared {
  groupId?: string;
  artifactId?: string;
  version?: string;
  scope?: string;
  optional?: string;
  type?: string;
  classifier?: string;
}

export interface PomModel {
  path: string;
  groupId?: string;
  artifactId?: string;
  version?: string;
  parent?: { groupId?: string; artifactId?: string; version?: string; relativePath?: string };
  properties: Map<string, string>;
  dependencies: Declared[];
  managed: Declared[];
}

function declared(el: XmlElement): Declared {
  return {
    groupId: childText(el, 'groupId'),
    artifactId: childText(el, 'artifactId'),
    version: childText(el, 'version'),
    scope: childText(el, 'scope'),
    optional: childText(el, 'optional'),
    type: childText(el, 'type'),
    classifier: childText(el, 'classifier'),
  };
}

/** Read the parts of a pom this cataloger uses. */
export function readPom(text: string, path: string): PomModel {
  const root = parseXml(text, posix.basename(path));
  if (root.name !== 'project')
    throw lockError(`${posix.basename(path)}: root element is <${root.name}>, not <project>`);
  const parentEl = child(root, 'parent');
  const relEl = child(parentEl, 'relativePath');
  const properties = new Map<string, string>();
  for (const p of child(root, 'properties')?.children ?? []) properties.set(p.name, p.text.trim());
  return {
    path,
    groupId: childText(root, 'groupId') ?? childText(parentEl, 'groupId'),
    artifactId: childText(root, 'artifactId'),
    version: childText(root, 'version') ?? childText(parentEl, 'version'),
    parent: parentEl
      ? {
          groupId: childText(parentEl, 'groupId'),
          artifactId: childText(parentEl, 'artifactId'),
          version: childText(parentEl, 'version'),
          // An empty <relativePath/> means "do not look locally".
          relativePath: relEl ? relEl.text.trim() : '../pom.xml',
        }
      : undefined,
    properties,
    dependencies: childrenNamed(child(root, 'dependencies'), 'dependency').map(declared),
    managed: childrenNamed(child(child(root, 'dependencyManagement'), 'dependencies'), 'dependency').map(
      declared,
    ),
  };
}

/** The local parent chain, nearest first (the pom itself excluded). */
async function parentChain(input: LockFileInput, pom: PomModel, out: LockBuilder): Promise<PomModel[]> {
  const chain: PomModel[] = [];
  const seen = new Set([pom.path]);
  let current = pom;
  while (current.parent?.relativePath && chain.length < MAX_PARENTS) {
    const rel = current.parent.relativePath;
    let target = posix.resolve(posix.dirname(current.path), rel);
    if (!target.endsWith('.xml')) target = posix.join(target, 'pom.xml');
    if (seen.has(target)) break;
    seen.add(target);
    const text = await input.companion(target);
    if (text === undefined) break; // a remote parent: its properties stay unknown
    let parent: PomModel;
    try {
      parent = readPom(text, target);
    } catch (err) {
      rethrowIfInternal(err);
      out.problem(`parent ${posix.relative(posix.dirname(pom.path), target)}: ${(err as Error).message}`);
      break;
    }
    const want = current.parent;
    if (parent.groupId !== want.groupId || parent.artifactId !== want.artifactId) {
      break; // not the declared parent (Maven would fetch it from a repository)
    }
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/** Interpolate `${…}` using the pom's and its parents' properties; unresolved placeholders are kept. */
function interpolator(pom: PomModel, parents: PomModel[]): (value: string | undefined) => string | undefined {
  const props = new Map<string, string>();
  // Farthest parent first so that nearer definitions win.
  for (const m of [...parents].reverse().concat(pom)) for (const [k, v] of m.properties) props.set(k, v);
  const builtins: Record<string, string | undefined> = {
    'project.groupId': pom.groupId,
    'project.artifactId': pom.artifactId,
    'project.version': pom.version,
    'project.parent.groupId': pom.parent?.groupId,
    'project.parent.artifactId': pom.parent?.artifactId,
    'project.parent.version': pom.parent?.version,
  };
  const lookup = (key: string): string | undefined => {
    if (props.has(key)) return props.get(key);
    const normalized = key.startsWith('pom.')
      ? `project.${key.slice(4)}`
      : key === 'version'
        ? 'project.version'
        : key;
    return builtins[normalized];
  };
  return (value) => {
    if (value === undefined) return undefined;
    let current = value;
    for (let i = 0; i < MAX_INTERPOLATION_ROUNDS && current.includes('${'); i++) {
      const next = current.replace(/\$\{([^}]+)\}/g, (whole, key: string) => lookup(key.trim()) ?? whole);
      if (next === current) break;
      current = next;
    }
    return current;
  };
}

const managedKey = (d: Declared): string =>
  `${d.groupId}:${d.artifactId}:${d.type ?? 'jar'}:${d.classifier ?? ''}`;

async function parsePom(input: LockFileInput, out: LockBuilder): Promise<void> {
  const pom = readPom(input.text, input.file.path);
  const parents = await parentChain(input, pom, out);
  // The project's own version may itself come from a property.
  const interpolate = interpolator(pom, parents);
  const managed = new Map<string, Declared>();
  for (const m of [pom, ...parents]) {
    const local = interpolator(m, parents.slice(parents.indexOf(m) + 1));
    for (const d of m.managed) {
      if (d.scope === 'import') continue; // a BOM from a repository: unavailable offline
      const resolved: Declared = {
        ...d,
        groupId: local(d.groupId),
        artifactId: local(d.artifactId),
        version: local(d.version),
      };
      if (!managed.has(managedKey(resolved))) managed.set(managedKey(resolved), resolved);
    }
  }
  const project = [interpolate(pom.groupId), interpolate(pom.artifactId), interpolate(pom.version)]
    .filter(Boolean)
    .join(':');

  for (const dep of pom.dependencies) {
    const d: Declared = {
      ...dep,
      groupId: interpolate(dep.groupId),
      artifactId: interpolate(dep.artifactId),
      version: interpolate(dep.version),
    };
    if (!d.groupId || !d.artifactId) {
      out.problem(`dependency without groupId or artifactId`);
      continue;
    }
    const coordinate = `${d.groupId}:${d.artifactId}`;
    const fromManagement = managed.get(managedKey(d));
    const version = d.version ?? fromManagement?.version;
    if (!version) {
      out.problem(`${coordinate}: no version (managed by an imported BOM or a parent not in the scan?)`);
      continue;
    }
    if (version.includes('${') || coordinate.includes('${')) {
      out.problem(`${coordinate}: unresolved property in "${coordinate}:${version}"`);
      continue;
    }
    if (/^[[(]/.test(version)) {
      out.problem(`${coordinate}: version range "${version}" is not one version`);
      continue;
    }
    const mavenScope = d.scope ?? fromManagement?.scope ?? 'compile';
    const scope: DependencyScope =
      mavenScope === 'test' ? 'dev' : d.optional === 'true' ? 'optional' : 'prod';
    const qualifiers: Record<string, string> = {};
    if (d.type && d.type !== 'jar') qualifiers.type = d.type;
    if (d.classifier) qualifiers.classifier = d.classifier;
    out.add({
      key: `${coordinate}@${version}:${d.type ?? 'jar'}:${d.classifier ?? ''}`,
      name: coordinate,
      version,
      type: 'maven',
      direct: true,
      scope,
      purl: purlFor('maven', coordinate, version, qualifiers),
      metadata: {
        groupId: d.groupId,
        artifactId: d.artifactId,
        mavenScope,
        type: d.type,
        classifier: d.classifier,
        versionFrom: d.version ? undefined : 'dependencyManagement',
        project: project || undefined,
      },
    });
  }
}

/** pom.xml (Maven project files). */
export const pomCataloger = defineLockCataloger({
  id: 'maven-pom',
  version: 3,
  // Exploded jars carry their own pom under META-INF/maven: that is the jar's metadata, not a project.
  primary: (base, path) => base === 'pom.xml' && !path.includes('/META-INF/maven/'),
  maxFileSize: 16 * 1024 * 1024,
  parse: parsePom,
});
