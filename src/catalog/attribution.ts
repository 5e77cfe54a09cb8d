/**
 * Layer attribution for package databases (dpkg status, apk installed, rpmdb).
 *
 * A package database is rewritten by every layer that installs or removes anything, so the layer of
 * its final version says nothing about a given package. Instead a package is credited to the layer
 * of the earliest database version from which it (same identity *and* same version) has been present
 * without interruption up to the final version: the layer that installed (or last upgraded or
 * reinstalled) it.
 */
import type { FileVersion } from './types.js';
import { rethrowIfInternal } from '../util/errors.js';

export interface Attributed<T> {
  /** An item of the final version of the database. */
  readonly item: T;
  /** The database version from which the item has been continuously present. */
  readonly since: FileVersion;
}

export interface AttributionOptions<T> {
  /**
   * Parse one version of the database. `latest` is true for the final version only (so a caller can
   * record problems once instead of once per layer). May throw: an older version that cannot be read
   * ends the search there, crediting its items to the next readable version.
   */
  readonly parse: (content: Buffer, latest: boolean) => readonly T[];
  /**
   * Identity of an item *including its version*, e.g. `name|arch|version`: an upgrade changes the key
   * and so restarts the chain at the upgrading layer.
   */
  readonly key: (item: T) => string;
}

/**
 * Attribute every item of the final version (the last of `versions`, oldest first) to the version that
 * introduced it. Returns items in the order the final version's parser produced them.
 */
export function attributeLayers<T>(
  versions: readonly FileVersion[],
  options: AttributionOptions<T>,
): Attributed<T>[] {
  const last = versions[versions.length - 1];
  if (!last) return [];
  const items = options.parse(last.content, true);
  const keys = items.map((item) => options.key(item));
  /** For every key still present in all versions seen so far (walking backwards): its earliest index. */
  const since = new Map<string, number>();
  for (const k of keys) since.set(k, versions.length - 1);
  let alive = new Set(since.keys());
  for (let i = versions.length - 2; i >= 0 && alive.size > 0; i--) {
    let present: Set<string>;
    try {
      present = new Set(options.parse(versions[i]!.content, false).map((item) => options.key(item)));
    } catch (err) {
      rethrowIfInternal(err);
      break;
    }
    const next = new Set<string>();
    for (const k of alive) {
      if (present.has(k)) {
        since.set(k, i);
        next.add(k);
      }
    }
    alive = next;
  }
  return items.map((item, n) => ({ item, since: versions[since.get(keys[n]!)!]! }));
}
