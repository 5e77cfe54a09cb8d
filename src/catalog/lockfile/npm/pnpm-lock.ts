/**
 * pnpm-lock.yaml, lockfile versions 5 to 9.
 *
 * - v5: keys `/name/1.2.3_peer@1.0.0`, `dev`/`optional` flags on packages.
 * - v6: keys `/name@1.2.3(peer@1.0.0)`, `dev`/`optional` flags; single projects keep their direct
 *   dependencies at top level, workspaces under `importers`.
 * - v9: `packages` (metadata, keyed `name@1.2.3`) and `snapshots` (dependency graph, keyed with peer
 *   suffixes); no dev flags: dev and prod follow from the importers' sections by reachability.
 *
 * The same name@version resolved with different peers is one package here (peer suffixes are a pnpm
 * install detail).
 */
import type { DependencyScope, Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  isTrue,
  lockError,
  parseYaml,
  propagateScopes,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { splitDescriptor } from './yarn-lock.js';

/** Drop a peer suffix: `1.0.0(react@18.2.0)(x@1)` → `1.0.0`. */
function stripPeers(ref: string): string {
  const paren = ref.indexOf('(');
  return paren >= 0 ? ref.slice(0, paren) : ref;
}

/** Parse a package key of any version into name and version. */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | undefined {
  const base = stripPeers(key.startsWith('/') ? key.slice(1) : key);
  if (major >= 6) return splitAtVersion(base);
  // v5: `name/1.0.0_peer`, `@scope/name/1.0.0`, optionally prefixed with a registry host.
  const parts = base.split('/');
  const at = parts.findIndex((p, i) => i > 0 && /^\d/.test(p));
  if (at <= 0) return undefined;
  const name = parts.slice(at - (parts[at - 2]?.startsWith('@') ? 2 : 1), at).join('/');
  const version = parts.slice(at).join('/').split('_')[0]!;
  return name && version ? { name, version } : undefined;
}

function splitAtVersion(spec: string): { name: string; version: string } | undefined {
  const parsed = splitDescriptor(spec);
  return parsed && parsed.range ? { name: parsed.name, version: parsed.range } : undefined;
}

interface Importer {
  path: string;
  sections: [DependencyScope, JsonRecord][];
}

function importersOf(doc: JsonRecord): Importer[] {
  const sectionsOf = (raw: JsonRecord): [DependencyScope, JsonRecord][] => {
    const out: [DependencyScope, JsonRecord][] = [];
    if (isRecord(raw.dependencies)) out.push(['prod', raw.dependencies]);
    if (isRecord(raw.optionalDependencies)) out.push(['optional', raw.optionalDependencies]);
    if (isRecord(raw.devDependencies)) out.push(['dev', raw.devDependencies]);
    return out;
  };
  if (isRecord(doc.importers)) {
    return entries(doc.importers).flatMap(([path, raw]) =>
      isRecord(raw) ? [{ path, sections: sectionsOf(raw) }] : [],
    );
  }
  return [{ path: '.', sections: sectionsOf(doc) }];
}

/** The reference of an importer dependency: `{specifier, version}` (v6+) or a bare version (v5). */
function importerRef(value: unknown): string | undefined {
  return isRecord(value) ? str(value.version) : str(value);
}

async function parsePnpmLock(input: LockFileInput, out: LockBuilder): Promise<void> {
  const doc = parseYaml(input.text, 'pnpm-lock.yaml');
  if (!isRecord(doc)) throw lockError('pnpm-lock.yaml: top level is not a mapping');
  const versionText = str(doc.lockfileVersion);
  const major = versionText ? Number.parseFloat(versionText) : Number.NaN;
  if (!Number.isFinite(major)) throw lockError('pnpm-lock.yaml: no lockfileVersion');
  if (major < 5)
    throw lockError(`pnpm-lock.yaml: lockfileVersion ${versionText} is not supported (5 or later)`);

  const byIdentity = new Map<string, Package>();
  const graph = major >= 9 && isRecord(doc.snapshots) ? doc.snapshots : doc.packages;
  const metadataOf = (key: string): JsonRecord | undefined => {
    if (major < 9) {
      const v = isRecord(doc.packages) ? doc.packages[key] : undefined;
      return isRecord(v) ? v : undefined;
    }
    const v = isRecord(doc.packages) ? doc.packages[stripPeers(key)] : undefined;
    return isRecord(v) ? v : undefined;
  };

  const nodes: [Package, JsonRecord][] = [];
  // v9 lists packages without snapshots only when nothing depends on them; walk both maps.
  const keys = new Set([
    ...entries(graph).map(([k]) => k),
    ...(major >= 9 ? entries(doc.packages).map(([k]) => k) : []),
  ]);
  for (const key of [...keys].sort()) {
    const node = isRecord(graph) && isRecord(graph[key]) ? graph[key] : {};
    const meta = metadataOf(key) ?? {};
    const parsed = parsePnpmKey(key, major);
    const name = str(meta.name) ?? parsed?.name;
    const version = str(meta.version) ?? parsed?.version;
    if (!name || !version) {
      out.problem(`${key}: cannot read name and version`);
      continue;
    }
    const resolution = isRecord(meta.resolution) ? meta.resolution : {};
    const dev = meta.dev ?? node.dev;
    const optional = isTrue(meta.optional ?? node.optional);
    const scope: DependencyScope | undefined =
      dev === undefined ? undefined : isTrue(dev) ? 'dev' : optional ? 'optional' : 'prod';
    const pkg = out.add({
      name,
      version,
      type: 'npm',
      direct: false,
      scope,
      metadata: {
        integrity: str(resolution.integrity),
        resolved: str(resolution.tarball) ?? str(resolution.repo),
        commit: str(resolution.commit),
      },
    });
    byIdentity.set(`${name}@${version}`, pkg);
    // Non-registry packages are referenced by their key (`name@https://…`), not by name@version.
    const keyBase = stripPeers(key.startsWith('/') ? key.slice(1) : key);
    if (!byIdentity.has(keyBase)) byIdentity.set(keyBase, pkg);
    nodes.push([pkg, node]);
  }

  const lookup = (depName: string, ref: string): Package | undefined => {
    if (ref.startsWith('link:')) return undefined; // a workspace folder, not a package
    const clean = stripPeers(ref);
    if (clean.startsWith('/')) {
      const p = parsePnpmKey(clean, major);
      return p ? byIdentity.get(`${p.name}@${p.version}`) : undefined;
    }
    const plain = major < 6 ? clean.split('_')[0]! : clean;
    const hit = byIdentity.get(`${depName}@${plain}`);
    if (hit) return hit;
    const alias = splitAtVersion(clean); // v9 alias: `string-width-cjs: string-width@4.2.3`
    return alias ? byIdentity.get(`${alias.name}@${alias.version}`) : undefined;
  };

  for (const [pkg, node] of nodes) {
    for (const section of ['dependencies', 'optionalDependencies']) {
      for (const [dep, ref] of entries(node[section])) {
        const r = str(ref);
        if (r) out.dependsOn(pkg, lookup(dep, r));
      }
    }
  }

  const roots: Partial<Record<DependencyScope, Package[]>> = { prod: [], optional: [], dev: [] };
  for (const importer of importersOf(doc)) {
    for (const [scope, deps] of importer.sections) {
      for (const [dep, value] of entries(deps)) {
        const ref = importerRef(value);
        const pkg = ref ? lookup(dep, ref) : undefined;
        if (!pkg) continue;
        pkg.direct = true;
        roots[scope]!.push(pkg);
      }
    }
  }
  propagateScopes(out, roots);
}

/** pnpm-lock.yaml (lockfile versions 5.x, 6.x, 9.x). */
export const pnpmLockCataloger = defineLockCataloger({
  id: 'pnpm-lock',
  version: 3,
  primary: (base) => base === 'pnpm-lock.yaml',
  parse: parsePnpmLock,
});
