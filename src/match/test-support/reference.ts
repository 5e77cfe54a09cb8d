/**
 * An independent reference matcher for the real-data tests: OSV records read as raw JSON and a plain
 * range walk, deliberately sharing nothing with src/db or src/match, so the tests compare two
 * implementations.
 */
import { compareVersions, type VersionSchemeId } from '../../version/index.js';

export interface RawEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface RawRecord {
  id: string;
  aliases?: string[];
  upstream?: string[];
  withdrawn?: string;
  affected?: {
    package?: { ecosystem: string; name: string };
    ranges?: { type: string; events: RawEvent[] }[];
    versions?: string[];
  }[];
}

/** A plain OSV range walk: sort events by version ("0" first), track whether we are inside an interval. */
export function inRange(version: string, events: RawEvent[], scheme: VersionSchemeId): boolean {
  const at = (e: RawEvent): string => (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit)!;
  const sorted = [...events].sort((a, b) => {
    if (at(a) === '0' && a.introduced !== undefined) return -1;
    if (at(b) === '0' && b.introduced !== undefined) return 1;
    return compareVersions(scheme, at(a), at(b));
  });
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined) {
      if (e.introduced === '0' || compareVersions(scheme, version, e.introduced) >= 0) affected = true;
    } else if (e.fixed !== undefined || e.limit !== undefined) {
      if (compareVersions(scheme, version, at(e)) >= 0) affected = false;
      else if (affected) return true;
    } else if (e.last_affected !== undefined) {
      if (compareVersions(scheme, version, e.last_affected) > 0) affected = false;
      else if (affected) return true;
    }
  }
  return affected;
}
