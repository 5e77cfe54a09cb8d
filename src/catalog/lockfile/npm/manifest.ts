/**
 * The project's own package.json, read as a companion of a lock file: yarn.lock and v1
 * package-lock.json do not say which packages are direct or dev, the manifest beside them does.
 */
import { entries, inFolder, isRecord, siblingPath, str, type LockFileInput } from '../common.js';
import { rethrowIfInternal } from '../../../util/errors.js';

export interface NpmManifest {
  name?: string;
  /** Dependency name → range, per section. */
  dependencies: Map<string, string>;
  devDependencies: Map<string, string>;
  optionalDependencies: Map<string, string>;
  peerDependencies: Map<string, string>;
}

/** package.json files outside node_modules: the projects' own manifests. */
export function isProjectManifest(base: string, path: string): boolean {
  return base === 'package.json' && !inFolder(path, 'node_modules');
}

function ranges(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, range] of entries(value)) out.set(name, typeof range === 'string' ? range : '');
  return out;
}

/** Parse a manifest object (also used for the `""` entry of a v2/v3 lock file). */
export function manifestFrom(value: unknown): NpmManifest | undefined {
  if (!isRecord(value)) return undefined;
  return {
    name: str(value.name),
    dependencies: ranges(value.dependencies),
    devDependencies: ranges(value.devDependencies),
    optionalDependencies: ranges(value.optionalDependencies),
    peerDependencies: ranges(value.peerDependencies),
  };
}

/** The package.json beside a lock file, when the scan has it and it is valid JSON. */
export async function siblingManifest(input: LockFileInput): Promise<NpmManifest | undefined> {
  const text = await input.companion(siblingPath(input.file.path, 'package.json'));
  if (text === undefined) return undefined;
  try {
    return manifestFrom(JSON.parse(text));
  } catch (err) {
    rethrowIfInternal(err);
    return undefined; // a broken manifest only costs us the direct/dev information
  }
}
