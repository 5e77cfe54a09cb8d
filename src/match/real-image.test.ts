/**
 * debian12-node against advisories imported from the shared corpus (npm GHSA records, Debian:12 records
 * derived from changelogs, KEV). The expected (package, advisory) pairs are computed here, independently
 * of the matcher, by reading the OSV JSON files directly and walking their ranges.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSource } from '../catalog/run.js';
import { allCatalogers } from './test-support/vulndata.js';
import type { Package } from '../model/package.js';
import { openDatabase, type VulnDatabase } from '../db/index.js';
import type { Sbom } from '../model/sbom.js';
import { openSource } from '../source/open.js';
import { haveImages, imagePath } from '../test-support/images.js';
import { compareVersions, type VersionSchemeId } from '../version/index.js';
import { matchSbom } from './match.js';
import { inRange, type RawRecord } from './test-support/reference.js';
import { KEV_DIR, haveVulndata, importTestDb, osvDir } from './test-support/vulndata.js';

function loadRecords(ecosystem: string): RawRecord[] {
  const dir = osvDir(ecosystem);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RawRecord);
}

function expectedPairs(
  packages: readonly Package[],
  records: RawRecord[],
  ecosystem: string,
  scheme: VersionSchemeId,
  key: (p: Package) => { name: string; version: string },
): Set<string> {
  const out = new Set<string>();
  for (const p of packages) {
    const { name, version } = key(p);
    for (const r of records) {
      if (r.withdrawn) continue;
      for (const a of r.affected ?? []) {
        if (a.package?.ecosystem !== ecosystem || a.package.name !== name) continue;
        const hit =
          (a.versions ?? []).includes(version) ||
          (a.ranges ?? []).some((rg) => rg.type !== 'GIT' && inRange(version, rg.events, scheme));
        if (hit) out.add(`${p.id} ${p.name}@${p.version} ${r.id}`);
      }
    }
  }
  return out;
}

describe.skipIf(!haveImages() || !haveVulndata())('matching debian12-node against the shared corpus', () => {
  let sbom: Sbom;
  let db: VulnDatabase;
  let dir: string;

  beforeAll(async () => {
    const imported = await importTestDb([osvDir('npm'), osvDir('Debian:12'), KEV_DIR]);
    dir = imported.dir;
    db = openDatabase(imported.dbPath);
    const source = await openSource(`oci-dir://${imagePath('debian12-node', 'oci')}`);
    try {
      sbom = (await catalogSource(source, { catalogers: allCatalogers() })).sbom;
    } finally {
      await source.close();
    }
  });
  afterAll(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds exactly the (package, advisory) pairs a plain range walk finds', () => {
    const { findings } = matchSbom(sbom, db);
    const actual = new Set(
      findings.flatMap((f) =>
        f.matches.map((m) => `${f.package.id} ${f.package.name}@${f.package.version} ${m.recordId}`),
      ),
    );
    const npm = sbom.packages.filter((p) => p.type === 'npm');
    const debs = sbom.packages.filter((p) => p.type === 'deb');
    const expected = new Set([
      ...expectedPairs(npm, loadRecords('npm'), 'npm', 'semver', (p) => ({
        name: p.name,
        version: p.version,
      })),
      ...expectedPairs(debs, loadRecords('Debian:12'), 'Debian:12', 'dpkg', (p) => ({
        name: p.sourceName ?? p.name,
        version: (p.sourceVersion ?? p.version).replace(/\+b\d+$/, ''),
      })),
    ]);
    expect(expected.size).toBeGreaterThan(10);
    expect([...actual].sort()).toEqual([...expected].sort());
  });

  it('reports the known npm advisories with their fixes', () => {
    const { findings } = matchSbom(sbom, db);
    const ids = (name: string, version: string) =>
      new Set(
        findings
          .filter((f) => f.package.name === name && f.package.version === version)
          .flatMap((f) => f.aliases),
      );
    expect(ids('lodash', '4.17.15')).toEqual(expect.any(Set));
    expect([...ids('lodash', '4.17.15')]).toEqual(
      expect.arrayContaining(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']),
    );
    expect([...ids('minimist', '1.2.0')]).toContain('GHSA-xvch-5gv4-984h');
    const proto = findings.find(
      (f) => f.package.name === 'lodash' && f.aliases.includes('GHSA-p6mc-m468-83gw'),
    )!;
    expect(proto.vulnerabilityId).toMatch(/^CVE-/);
    expect(proto.fixState).toBe('fixed');
    expect(proto.fixedVersion).toBe('4.17.19');
    expect(proto.severity).not.toBe('unknown');
    expect(proto.matches[0]!.searchedBy).toEqual({ ecosystem: 'npm', name: 'lodash', version: '4.17.15' });
    expect(proto.package.layer?.createdBy).toBeTruthy();
  });

  it('matches Debian packages by source package and only where the fix is newer', () => {
    const { findings } = matchSbom(sbom, db);
    const debFindings = findings.filter((f) => f.package.type === 'deb');
    expect(debFindings.length).toBeGreaterThan(0);
    for (const f of debFindings) {
      const m = f.matches[0]!;
      expect(m.searchedBy.ecosystem).toBe('Debian:12');
      expect(m.searchedBy.name).toBe(f.package.sourceName ?? f.package.name);
      // changelog-derived records always name a fix, newer than the installed source version
      expect(f.fixState).toBe('fixed');
      expect(compareVersions('dpkg', f.fixedVersion!, m.searchedBy.version)).toBe(1);
      expect(f.vulnerabilityId).toMatch(/^CVE-/);
    }
    // packages at or above every fixed version of their records yield nothing
    const affectedSources = new Set(debFindings.map((f) => f.package.sourceName ?? f.package.name));
    const debRecords = loadRecords('Debian:12');
    const clean = sbom.packages.filter(
      (p) => p.type === 'deb' && !affectedSources.has(p.sourceName ?? p.name),
    );
    const withRecords = clean.filter((p) =>
      debRecords.some((r) => r.affected?.some((a) => a.package?.name === (p.sourceName ?? p.name))),
    );
    expect(withRecords.length).toBeGreaterThan(0);
  });

  it('orders by risk then deterministically, and is stable across runs', () => {
    const a = matchSbom(sbom, db).findings;
    const b = matchSbom(sbom, db).findings;
    expect(a.map((f) => f.id)).toEqual(b.map((f) => f.id));
    for (let i = 1; i < a.length; i++) expect(a[i - 1]!.risk).toBeGreaterThanOrEqual(a[i]!.risk);
    expect(new Set(a.map((f) => f.id)).size).toBe(a.length);
  });
});
