/**
 * The project's pyproject.toml, read as a companion of poetry.lock / uv.lock: it says which locked
 * packages are direct and in which group (main, optional extras, dev groups).
 */
import { entries, isRecord, parseToml, pep503, siblingPath, type LockFileInput } from '../common.js';
import { rethrowIfInternal } from '../../../util/errors.js';

export interface PythonProjectDeps {
  name?: string;
  /** PEP 503 names per scope. */
  prod: Set<string>;
  optional: Set<string>;
  dev: Set<string>;
}

/** The project name of a PEP 508 requirement string (`requests[socks]>=2 ; …` → `requests`). */
export function pep508Name(requirement: string): string | undefined {
  return /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement)?.[1];
}

function addAll(target: Set<string>, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    const name = typeof item === 'string' ? pep508Name(item) : undefined;
    if (name) target.add(pep503(name));
  }
}

function addPoetryTable(deps: PythonProjectDeps, table: unknown, scope: 'prod' | 'dev'): void {
  for (const [name, spec] of entries(table)) {
    if (name.toLowerCase() === 'python') continue; // the interpreter constraint, not a package
    const target = scope === 'prod' && isRecord(spec) && spec.optional === true ? deps.optional : deps[scope];
    target.add(pep503(name));
  }
}

/** Read the declared dependencies of a pyproject.toml document. */
export function projectDeps(doc: Record<string, unknown>): PythonProjectDeps {
  const deps: PythonProjectDeps = { prod: new Set(), optional: new Set(), dev: new Set() };
  const project = isRecord(doc.project) ? doc.project : {};
  if (typeof project.name === 'string') deps.name = project.name;
  addAll(deps.prod, project.dependencies);
  for (const [, list] of entries(project['optional-dependencies'])) addAll(deps.optional, list);
  // PEP 735 dependency groups (uv's `dev` group lives here).
  for (const [, list] of entries(doc['dependency-groups'])) addAll(deps.dev, list);
  const tool = isRecord(doc.tool) ? doc.tool : {};
  const uv = isRecord(tool.uv) ? tool.uv : {};
  addAll(deps.dev, uv['dev-dependencies']);
  const poetry = isRecord(tool.poetry) ? tool.poetry : {};
  if (!deps.name && typeof poetry.name === 'string') deps.name = poetry.name;
  addPoetryTable(deps, poetry.dependencies, 'prod');
  addPoetryTable(deps, poetry['dev-dependencies'], 'dev');
  for (const [group, body] of entries(poetry.group)) {
    if (isRecord(body)) addPoetryTable(deps, body.dependencies, group === 'main' ? 'prod' : 'dev');
  }
  return deps;
}

/** The pyproject.toml beside a lock file, when the scan has it and it parses. */
export async function siblingProject(input: LockFileInput): Promise<PythonProjectDeps | undefined> {
  const text = await input.companion(siblingPath(input.file.path, 'pyproject.toml'));
  if (text === undefined) return undefined;
  try {
    return projectDeps(parseToml(text, 'pyproject.toml'));
  } catch (err) {
    rethrowIfInternal(err);
    return undefined; // a broken manifest only costs us the direct/dev information
  }
}
