/**
 * The dpkg status database (`/var/lib/dpkg/status`, and distroless `status.d/<pkg>` files, which have
 * the same syntax but no `Status` field).
 */
import { parseDeb822 } from './deb822.js';

export interface DpkgEntry {
  readonly name: string;
  /** Full version including any epoch, e.g. `1:2.36-9`. */
  readonly version: string;
  readonly arch?: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly maintainer?: string;
  /** Bytes (the database holds KiB). */
  readonly installedSize?: number;
  /** First line of `Description`. */
  readonly description?: string;
  readonly provides: string[];
  readonly depends: string[];
  readonly preDepends: string[];
}

export interface StatusParse {
  readonly entries: DpkgEntry[];
  /** One line per malformed paragraph. */
  readonly problems: string[];
}

/** Parse a status file. Paragraphs of packages not fully installed are skipped silently. */
export function parseStatus(text: string): StatusParse {
  const entries: DpkgEntry[] = [];
  const problems: string[] = [];
  for (const p of parseDeb822(text)) {
    if (p.error) {
      problems.push(`paragraph at line ${p.line}: ${p.error}`);
      continue;
    }
    const f = (k: string): string | undefined => {
      const v = p.fields.get(k);
      return v === undefined || v === '' ? undefined : v;
    };
    const name = f('package');
    const version = f('version');
    if (!name || !version) {
      problems.push(`paragraph at line ${p.line}: missing ${name ? 'Version' : 'Package'} field`);
      continue;
    }
    // `want flag state`; only `installed` packages are on disk (config-files, half-installed… are not).
    const status = f('status');
    if (status !== undefined && status.split(/\s+/)[2] !== 'installed') continue;
    const source = parseSource(f('source'), name, version);
    const size = f('installed-size');
    const sizeKiB = size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
    const entry: DpkgEntry = {
      name,
      version,
      sourceName: source.name,
      sourceVersion: source.version,
      provides: relations(f('provides')),
      depends: relations(f('depends')),
      preDepends: relations(f('pre-depends')),
      ...(f('architecture') ? { arch: f('architecture') } : {}),
      ...(f('maintainer') ? { maintainer: f('maintainer') } : {}),
      ...(sizeKiB !== undefined && Number.isSafeInteger(sizeKiB * 1024)
        ? { installedSize: sizeKiB * 1024 }
        : {}),
      ...(f('description') ? { description: f('description')!.split('\n', 1)[0]!.trim() } : {}),
    };
    entries.push(entry);
  }
  return { entries, problems };
}

/** `Source: glibc (2.36-9)` → glibc / 2.36-9; `Source: glibc` → glibc / the binary version. */
function parseSource(
  field: string | undefined,
  name: string,
  version: string,
): { name: string; version: string } {
  if (!field) return { name, version };
  const m = /^(\S+)(?:\s+\(([^)]+)\))?\s*$/.exec(field);
  if (!m) return { name, version };
  return { name: m[1]!, version: m[2]?.trim() || version };
}

/** Comma-separated relation fields, whitespace normalised (continuation lines joined). */
function relations(field: string | undefined): string[] {
  if (!field) return [];
  return field
    .split(',')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}
