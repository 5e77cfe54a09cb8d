/**
 * Cargo.lock (TOML), lock versions 1 to 4.
 *
 * `[[package]]` tables with name, version, source and dependencies. Dependencies are written
 * `"name"`, `"name version"` or `"name version (source)"` — only as precise as needed to be unambiguous
 * (v1 always writes all three). Checksums are per package (v2+) or in `[metadata]` (v1). Packages
 * without a `source` are the workspace's own crates (or path dependencies): they are not packages
 * here, and what they depend on is direct.
 */
import type { Package } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  lockError,
  parseToml,
  redactUrl,
  str,
  type JsonRecord,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';

interface DepRef {
  name: string;
  version?: string;
  source?: string;
}

export function parseDepRef(text: string): DepRef | undefined {
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+\((.+)\))?$/.exec(text.trim());
  return m ? { name: m[1]!, version: m[2], source: m[3] } : undefined;
}

function parseCargoLock(input: LockFileInput, out: LockBuilder): void {
  const doc = parseToml(input.text, 'Cargo.lock');
  if (!Array.isArray(doc.package)) throw lockError('Cargo.lock: no [[package]] array');
  const lockVersion = typeof doc.version === 'number' ? doc.version : 1;
  // v1: `"checksum name version (source)" = "hash"`.
  const legacySums = new Map<string, string>();
  for (const [key, value] of entries(isRecord(doc.metadata) ? doc.metadata : {})) {
    const ref = key.startsWith('checksum ') ? parseDepRef(key.slice(9)) : undefined;
    if (ref && typeof value === 'string') legacySums.set(`${ref.name} ${ref.version ?? ''}`, value);
  }

  const byName = new Map<string, { pkg?: Package; version: string; source?: string }[]>();
  const bodies: [Package | undefined, JsonRecord][] = [];
  doc.package.forEach((raw: unknown, i: number) => {
    const name = isRecord(raw) ? str(raw.name) : undefined;
    const version = isRecord(raw) ? str(raw.version) : undefined;
    if (!isRecord(raw) || !name || !version) {
      out.problem(`package #${i + 1}${name ? ` (${name})` : ''}: ${name ? 'no version' : 'no name'}`);
      return;
    }
    const source = str(raw.source);
    const pkg = source
      ? out.add({
          key: `${name}@${version}@${source}`,
          name,
          version,
          type: 'cargo',
          direct: false,
          metadata: {
            source: redactUrl(source),
            checksum: str(raw.checksum) ?? legacySums.get(`${name} ${version}`),
            lockVersion,
          },
        })
      : undefined;
    const list = byName.get(name) ?? [];
    list.push({ pkg, version, source });
    byName.set(name, list);
    bodies.push([pkg, raw]);
  });

  const resolve = (ref: DepRef): { pkg?: Package } | undefined => {
    const candidates = (byName.get(ref.name) ?? []).filter(
      (c) => (!ref.version || c.version === ref.version) && (!ref.source || c.source === ref.source),
    );
    return candidates.length === 1 ? candidates[0] : undefined;
  };

  for (const [pkg, raw] of bodies) {
    if (raw.dependencies !== undefined && !Array.isArray(raw.dependencies)) {
      out.problem(`${str(raw.name)}: dependencies is not an array`);
      continue;
    }
    for (const text of (raw.dependencies as unknown[] | undefined) ?? []) {
      const ref = typeof text === 'string' ? parseDepRef(text) : undefined;
      const target = ref ? resolve(ref) : undefined;
      if (!target) {
        out.problem(
          `${str(raw.name)}: dependency ${JSON.stringify(text)} does not match exactly one package`,
        );
        continue;
      }
      if (!pkg) {
        if (target.pkg) target.pkg.direct = true; // a workspace crate depends on it
      } else {
        out.dependsOn(pkg, target.pkg);
      }
    }
  }
}

/** Cargo.lock (lock versions 1–4). */
export const cargoLockCataloger = defineLockCataloger({
  id: 'cargo-lock',
  version: 3,
  primary: (base) => base === 'Cargo.lock',
  parse: parseCargoLock,
});
