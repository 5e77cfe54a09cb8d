/**
 * `.bulwark.yaml`: one file configures every scanner; each scanner validates its own section
 * (`ignore:` for scan, `lint:` for Dockerfile rules, `secrets:` for secret rules) in its own folder.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import { InputError, fsError, oneLine } from '../util/errors.js';
import { lazyRequire } from '../util/lazy.js';

/** YAML is parsed only when a YAML file is read: loaded then. */
const yaml = lazyRequire<typeof Yaml>('yaml');

export const CONFIG_FILE_NAMES = ['.bulwark.yaml', '.bulwark.yml'] as const;
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface LoadedConfig {
  /** Absolute path of the file, or undefined when none was found. */
  readonly path?: string;
  /** The parsed document (a plain object; empty when there is no file). */
  readonly data: Record<string, unknown>;
}

/**
 * Load the config: `explicit` (from `--config`) must exist; otherwise the first of
 * {@link CONFIG_FILE_NAMES} in `dir` is used if present.
 */
export function loadConfig(dir: string, explicit?: string): LoadedConfig {
  let path: string | undefined;
  if (explicit) {
    path = resolve(dir, explicit);
  } else {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      try {
        if (statSync(candidate).isFile()) {
          path = candidate;
          break;
        }
      } catch {
        // not there: try the next name
      }
    }
    if (!path) return { data: {} };
  }
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) {
      throw new InputError('E_CONFIG', `${path}: config file larger than ${MAX_CONFIG_BYTES} bytes`);
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, path);
  }
  let data: unknown;
  try {
    data = yaml().parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new InputError('E_CONFIG', `${path}: invalid YAML: ${oneLine(err)}`, { cause: err });
  }
  if (data === null || data === undefined) return { path, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError('E_CONFIG', `${path}: expected a mapping at the top level`);
  }
  return { path, data: data as Record<string, unknown> };
}
