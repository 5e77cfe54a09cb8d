/**
 * poetry.lock (TOML): `[[package]]` tables with name, version, dependencies and file hashes.
 *
 * Lock format 1.x has `category = "main" | "dev"` per package and hashes under `[metadata.files]`;
 * 2.x drops the category (groups live only in pyproject.toml) and lists hashes in `files`. Direct
 * dependencies and the groups of 2.x locks come from the pyproject.toml beside the lock when the
 * scan has it; scope then follows by reachability.
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
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';
import { siblingProject } from './pyproject.js';

function hashesOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  return files
    .map((f) => (isRecord(f) ? str(f.hash) : undefined))
    .filter((h): h is string => h !== undefined)
    .sort();
}

async function parsePoetryLock(input: LockFileInput, out: LockBuilder): Promise<void> {
  const doc = parseToml(input.text, 'poetry.lock');
  if (!Array.isArray(doc.package)) {
    if (doc.package === undefined && isRecord(doc.metadata)) return; // a project without dependencies
    throw lockError('poetry.lock: no [[package]] array');
  }
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const lockVersion = str(metadata['lock-version']);
  const legacyFiles = isRecord(metadata.files) ? metadata.files : {};

  const byName = new Map<string, Package[]>();
  const bodies: [Package, JsonRecord][] = [];
  doc.package.forEach((raw: unknown, i: number) => {
    const name = isRecord(raw) ? str(raw.name) : undefined;
    const version = isRecord(raw) ? str(raw.version) : undefined;
    if (!isRecord(raw) || !name || !version) {
      out.problem(
        `package #${i + 1}: ${name ?? 'no name'}: ${version ? '' : 'no version'}`.replace(/: $/, ''),
      );
      return;
    }
    const category = str(raw.category);
    const scope: DependencyScope | undefined =
      category === 'dev'
        ? 'dev'
        : category === 'main'
          ? raw.optional === true
            ? 'optional'
            : 'prod'
          : undefined;
    const source = isRecord(raw.source) ? raw.source : {};
    const pkg = out.add({
      ...pypiIdentity(name, version),
      scope,
      metadata: {
        hashes: hashesOf(raw.files ?? legacyFiles[name]),
        source: str(source.type)
          ? {
              type: str(source.type),
              url: str(source.url),
              reference: str(source.resolved_reference) ?? str(source.reference),
            }
          : undefined,
        lockVersion,
      },
    });
    const list = byName.get(pep503(name)) ?? [];
    list.push(pkg);
    byName.set(pep503(name), list);
    bodies.push([pkg, raw]);
  });
  for (const [pkg, raw] of bodies) {
    for (const [dep] of entries(raw.dependencies)) {
      for (const target of byName.get(pep503(dep)) ?? []) out.dependsOn(pkg, target);
    }
  }
  const project = await siblingProject(input);
  if (project) {
    const roots: Record<'prod' | 'optional' | 'dev', Package[]> = { prod: [], optional: [], dev: [] };
    for (const p of out.all()) p.direct = false;
    for (const scope of ['prod', 'optional', 'dev'] as const) {
      for (const name of project[scope]) {
        for (const p of byName.get(name) ?? []) {
          p.direct = true;
          roots[scope].push(p);
          if (project.name && p.metadata) p.metadata.project = project.name;
        }
      }
    }
    propagateScopes(out, roots);
  }
}

/** poetry.lock (lock formats 1.x and 2.x). */
export const poetryLockCataloger = defineLockCataloger({
  id: 'poetry-lock',
  version: 3,
  primary: (base) => base === 'poetry.lock',
  companions: (base) => base === 'pyproject.toml',
  parse: parsePoetryLock,
});
