/**
 * Files that machines write from other files: lock files (full of integrity hashes, and every
 * dependency they name is cataloged anyway). Skipped unless `--include-generated`.
 *
 * Minified code, bundles (webpack, vite, rollup chunks) and source maps are **not** skipped: they are
 * where front-end keys leak (a key in a `.env` read at build time ends up inlined in the bundle), and
 * the engine scans their long lines in linear time.
 */
import { posix } from 'node:path';

const LOCK_FILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'deno.lock',
  'cargo.lock',
  'gemfile.lock',
  'composer.lock',
  'poetry.lock',
  'pipfile.lock',
  'pdm.lock',
  'uv.lock',
  'go.sum',
  'go.work.sum',
  'packages.lock.json',
  'paket.lock',
  'mix.lock',
  'pubspec.lock',
  'podfile.lock',
  'package.resolved',
  'flake.lock',
  'gradle.lockfile',
  'conan.lock',
]);

/** By name: lock files only. */
export function isGeneratedPath(path: string): boolean {
  const base = posix.basename(path.replace(/\\/g, '/')).toLowerCase();
  return LOCK_FILES.has(base);
}
