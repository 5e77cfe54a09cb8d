/**
 * Load a CommonJS dependency on first use instead of at start-up. Node 20 has no compile cache, so every
 * module a command imports costs parse and compile time on every run; the large libraries that only some
 * outputs or paths need (the CycloneDX model for `--format cyclonedx-json`, undici for proxied
 * downloads) are loaded when that output or path is taken. Synchronous, so callers keep sync APIs.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A function returning the module `id` (a CommonJS package), required on its first call. */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireHere(id) as T);
}
