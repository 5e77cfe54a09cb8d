/**
 * Where Bulwark keeps downloaded data (the vulnerability database, layer caches):
 * `BULWARK_CACHE_DIR`, else `$XDG_CACHE_HOME/bulwark`, else `~/.cache/bulwark`.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Resolve the cache directory from an environment (injectable for tests; defaults to `process.env`). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.BULWARK_CACHE_DIR?.trim();
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'bulwark');
  return join(env.HOME?.trim() || homedir(), '.cache', 'bulwark');
}

/** The per-layer and whole-image catalog caches: `<cache dir>/layers` (what `bulwark cache` manages). */
export function layerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'layers');
}
