/**
 * Rust binaries built with cargo-auditable: the crates recorded in the `.dep-v0` section, with the
 * dependency edges between them. Plain Rust binaries carry no dependency list and yield nothing.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogFile } from '../types.js';
import { parseExecutable, sectionData } from '../binary/exec-format.js';
import { executableCataloger } from '../binary/executable-cataloger.js';
import { ResultBuilder, locationOf } from '../kit.js';
import { decodeDepV0 } from './auditable.js';

const ID = 'rust-auditable-binary';
const SECTION = '.dep-v0';

export const rustAuditableCataloger: Cataloger = executableCataloger({
  id: ID,
  version: 1,
  // The section name appears in every binary that has the section; others are not kept in memory.
  contentMarkers: [Buffer.from(SECTION)],
  catalogBinary,
});

function catalogBinary(out: ResultBuilder, file: CatalogFile, buf: Buffer): void {
  const exe = parseExecutable(buf);
  if (!exe) return;
  const data = sectionData(buf, exe, SECTION);
  if (!data) return;
  const crates = decodeDepV0(data);
  const ids = crates.map((c) => {
    // Only crates.io crates are addressable as pkg:cargo; git/local crates keep their source in metadata.
    const purl = new PackageURL('cargo', undefined, c.name, c.version).toString();
    return out.add({
      id: out.tempId(`${c.name}@${c.version}:${file.path}`),
      name: c.name,
      version: c.version,
      type: 'cargo',
      purl,
      licenses: [],
      locations: [locationOf(file)],
      foundBy: ID,
      ...(file.layer ? { layer: file.layer } : {}),
      scope: c.kind === 'build' ? 'dev' : 'prod',
      ...(c.root ? { direct: true } : {}),
      metadata: { source: c.source, kind: c.kind, root: c.root },
    }).id;
  });
  crates.forEach((c, i) => {
    for (const d of c.dependencies) out.relate(ids[i]!, ids[d]!, 'depends-on');
  });
}
