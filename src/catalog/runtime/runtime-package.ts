/**
 * Runtimes (interpreters, VMs, toolchains) are reported as `binary` packages with a generic PURL
 * (`pkg:generic/<name>@<version>`) and an NVD CPE, since their advisories are filed against the
 * product rather than a package ecosystem. See docs/catalogers-installed.md.
 */
import { PackageURL } from 'packageurl-js';
import type { CatalogFile, CatalogResult, FileView, Package } from '../types.js';
import { ResultBuilder, locationOf } from '../kit.js';

export interface RuntimeFinding {
  name: string;
  version: string;
  /** `vendor:product` for the CPE, e.g. `nodejs:node.js`. */
  cpe: string;
  licenses: string[];
  file: CatalogFile;
  metadata?: Record<string, unknown>;
}

/** Merge findings of the same runtime and version (binary + header + library) into one package. */
/**
 * The body of a runtime cataloger: `detect` looks at one matched file's bytes and says which runtime it
 * shows (or nothing); a file that fails becomes an unknown, and the findings are merged per runtime.
 */
export async function catalogRuntimes(
  catalogerId: string,
  view: FileView,
  detect: (file: CatalogFile, content: Buffer) => RuntimeFinding | undefined,
): Promise<CatalogResult> {
  const out = new ResultBuilder(catalogerId);
  const found: RuntimeFinding[] = [];
  for (const file of view.files()) {
    await out.guard(file, async () => {
      const finding = detect(file, await file.read());
      if (finding) found.push(finding);
    });
  }
  addRuntimes(out, found);
  return out.result();
}

export function addRuntimes(out: ResultBuilder, findings: RuntimeFinding[]): void {
  const byKey = new Map<string, Package>();
  for (const f of findings) {
    const key = `${f.name}@${f.version}`;
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.locations.some((l) => l.path === f.file.path))
        existing.locations.push(locationOf(f.file));
      existing.locations.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      continue;
    }
    const pkg = out.add({
      id: out.tempId(key),
      name: f.name,
      version: f.version,
      type: 'binary',
      purl: new PackageURL('generic', undefined, f.name, f.version).toString(),
      cpes: [`cpe:2.3:a:${f.cpe}:${f.version.replace(/[^A-Za-z0-9._-]/g, (c) => `\\${c}`)}:*:*:*:*:*:*:*`],
      licenses: f.licenses,
      locations: [locationOf(f.file)],
      foundBy: out.catalogerId,
      ...(f.file.layer ? { layer: f.file.layer } : {}),
      ...(f.metadata ? { metadata: f.metadata } : {}),
    });
    byKey.set(key, pkg);
  }
}

/** Find `marker` in a (possibly huge) buffer and return up to `len` bytes after it as latin1. */
export function after(buf: Buffer, marker: string, len: number): string[] {
  const out: string[] = [];
  const m = Buffer.from(marker, 'latin1');
  let at = buf.indexOf(m);
  while (at >= 0 && out.length < 16) {
    out.push(buf.toString('latin1', at + m.length, Math.min(buf.length, at + m.length + len)));
    at = buf.indexOf(m, at + m.length);
  }
  return out;
}
