/**
 * Ecosystem and package-name keys for lookups. OSV ecosystems may carry a release suffix
 * (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`); the part before the first colon is the base
 * ecosystem, which decides the version scheme and the name normalisation. Keys are case-insensitive on
 * the ecosystem (users type `pypi`); names are normalised per ecosystem (table in docs/database.md).
 */
import { pep503 } from '../util/pep503.js';

/** `Debian:12` → `Debian`; `PyPI` → `PyPI`. */
export function baseEcosystem(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

/** The lookup key of an ecosystem: lower-cased, trimmed. */
export function ecosystemKey(ecosystem: string): string {
  return ecosystem.trim().toLowerCase();
}

/**
 * Normalise a package name the way its ecosystem compares names:
 * - PyPI: PEP 503 (lower-case; runs of `-`, `_`, `.` become one `-`);
 * - NuGet, Packagist, Hex, Pub: case-insensitive registries → lower-case;
 * - everything else (npm, Go, Maven, crates.io, RubyGems, distro packages): as-is, because those
 *   registries are case-sensitive or already canonical and folding would merge distinct packages.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  const base = ecosystemKey(baseEcosystem(ecosystem));
  const trimmed = name.trim();
  switch (base) {
    case 'pypi':
      return pep503(trimmed);
    case 'nuget':
    case 'packagist':
    case 'hex':
    case 'pub':
      return trimmed.toLowerCase();
    default:
      return trimmed;
  }
}

/**
 * True when a record's affected ecosystem matches a query ecosystem: a query with a release
 * (`Debian:12`) matches that release exactly; a bare query (`Debian`, `npm`) matches every release.
 */
export function ecosystemMatches(query: string, recordEcosystem: string): boolean {
  const q = ecosystemKey(query);
  const r = ecosystemKey(recordEcosystem);
  return q.includes(':') ? q === r : q === ecosystemKey(baseEcosystem(recordEcosystem));
}
