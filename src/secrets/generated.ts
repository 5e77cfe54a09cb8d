/**
 * Files that machines write: lock files (full of hashes), minified bundles and source maps (full of
 * random-looking identifiers and embedded sources). Skipped unless `--include-generated`.
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

/** By name: lock files, `*.min.js`, `*.min.css`, source maps, bundles. */
export function isGeneratedPath(path: string): boolean {
  const base = posix.basename(path.replace(/\\/g, '/')).toLowerCase();
  if (LOCK_FILES.has(base)) return true;
  return /\.min\.(?:js|mjs|cjs|css)$|\.(?:js|css|mjs|cjs)\.map$|\.map$|[.-]bundle\.(?:js|mjs)$|\.chunk\.(?:js|mjs)$/.test(
    base,
  );
}

/** JS/CSS whose first block has very long lines is minified even without `.min` in the name. */
export function looksMinified(path: string, head: Uint8Array): boolean {
  if (!/\.(?:js|mjs|cjs|css)$/i.test(path) || head.length < 4096) return false;
  let lines = 1;
  for (let i = 0; i < head.length; i++) if (head[i] === 0x0a) lines++;
  return head.length / lines > 500;
}
