/**
 * uv.lock (TOML): `[[package]]` tables with `source` (registry, git, url, path, directory, editable,
 * virtual), `dependencies`, `optional-dependencies`, `dev-dependencies`, and sdist/wheel hashes.
 *
 * The project and its workspace members are the `editable`/`virtual` packages: they are not packages
 * here, their dependencies are the direct ones (`dependencies` prod, `optional-dependencies` optional,
 * `dev-dependencies` dev); scope of the rest follows by reachability.
 */
import type { DependencyScope, Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  lockError,
  parseToml,
  pep503,
  pypiIdentity,
  propagateScopes,
  redactUrl,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';

function hashes(raw: JsonRecord): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    const h = isRecord(v) ? str(v.hash) : undefined;
    if (h) out.add(h);
  };
  add(raw.sdist);
  if (Array.isArray(raw.wheels)) raw.wheels.forEach(add);
  return [...out].sort();
}

/** Dependency references of one list: `[{ name, version?, marker?, extra? }]`. */
function refs(list: unknown): { name: string; version?: string }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((d: unknown) => {
    const name = isRecord(d) ? str(d.name) : undefined;
    return name ? [{ name, version: isRecord(d) ? str(d.version) : undefined }] : [];
  });
}

function parseUvLock(input: LockFileInput, out: LockBuilder): void {
  const doc = parseToml(input.text, 'uv.lock');
  if (!Array.isArray(doc.package)) throw lockError('uv.lock: no [[package]] array');
  const lockVersion = typeof doc.version === 'number' ? doc.version : undefined;

  const byName = new Map<string, Package[]>();
  const members: JsonRecord[] = [];
  const bodies: [Package, JsonRecord][] = [];
  doc.package.forEach((raw: unknown, i: number) => {
    if (!isRecord(raw) || !str(raw.name)) {
      out.problem(`package #${i + 1}: no name`);
      return;
    }
    const name = str(raw.name)!;
    const source = isRecord(raw.source) ? raw.source : {};
    if ('editable' in source || 'virtual' in source) {
      members.push(raw);
      return;
    }
    const version = str(raw.version);
    if (!version) {
      out.problem(`${name}: no version`);
      return;
    }
    const origin =
      str(source.registry) ?? str(source.git) ?? str(source.url) ?? str(source.path) ?? str(source.directory);
    const pkg = out.add({
      ...pypiIdentity(name, version),
      direct: false,
      metadata: {
        hashes: hashes(raw),
        source: origin ? redactUrl(origin) : undefined,
        sourceType: Object.keys(source)[0],
        lockVersion,
      },
    });
    const list = byName.get(pep503(name)) ?? [];
    list.push(pkg);
    byName.set(pep503(name), list);
    bodies.push([pkg, raw]);
  });

  const lookup = (ref: { name: string; version?: string }): Package[] => {
    const all = byName.get(pep503(ref.name)) ?? [];
    return ref.version ? all.filter((p) => p.version === ref.version) : all;
  };
  for (const [pkg, raw] of bodies) {
    const lists = [raw.dependencies, ...entries(raw['optional-dependencies']).map(([, l]) => l)];
    for (const list of lists)
      for (const ref of refs(list)) for (const t of lookup(ref)) out.dependsOn(pkg, t);
  }
  const roots: Record<'prod' | 'optional' | 'dev', Package[]> = { prod: [], optional: [], dev: [] };
  for (const member of members) {
    const sections: [DependencyScope & keyof typeof roots, unknown[]][] = [
      ['prod', [member.dependencies]],
      ['optional', entries(member['optional-dependencies']).map(([, l]) => l)],
      ['dev', entries(member['dev-dependencies']).map(([, l]) => l)],
    ];
    for (const [scope, lists] of sections) {
      for (const list of lists) {
        for (const ref of refs(list)) {
          for (const p of lookup(ref)) {
            p.direct = true;
            roots[scope].push(p);
          }
        }
      }
    }
  }
  propagateScopes(out, roots);
}

/** uv.lock. */
export const uvLockCataloger = defineLockCataloger({
  id: 'uv-lock',
  version: 3,
  primary: (base) => base === 'uv.lock',
  parse: parseUvLock,
});
