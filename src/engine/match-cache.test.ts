/**
 * The match cache: results are stored per (image SBOM, database file, options), read back onto the
 * SBOM's own package objects, and never served for another database, other options or a damaged file.
 * The end-to-end case scans debian12-node twice against a database imported from the shared corpus.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatchResult } from '../match/match.js';
import type { Package } from '../model/package.js';
import { KEV_DIR, haveVulndata, importTestDb, osvDir } from '../match/test-support/vulndata.js';
import { renderScanReport } from '../report/scan/index.js';
import { haveImages, imagePath } from '../test-support/images.js';
import { MatchCache, matchKey } from './match-cache.js';
import { scanTarget } from './scan.js';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bulwark-match-cache-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const pkg = (id: string, name: string): Package =>
  ({
    id,
    name,
    version: '1.0.0',
    type: 'npm',
    purl: `pkg:npm/${name}@1.0.0`,
    locations: [],
  }) as unknown as Package;

function result(p: Package): MatchResult {
  return {
    findings: [
      {
        id: 'f1',
        vulnerabilityId: 'GHSA-xxxx-yyyy-zzzz',
        aliases: ['GHSA-xxxx-yyyy-zzzz'],
        package: p,
        severity: 'high',
        severitySource: 'ghsa',
        fixState: 'fixed',
        fixedVersion: '1.0.1',
        fixedVersions: ['1.0.1'],
        references: [],
        matches: [],
        risk: 7,
      },
    ],
    notEvaluated: [{ package: p, reason: 'no-data', detail: 'd', group: 'g' }],
    stats: { packagesMatched: 1, packagesSkipped: 1, queries: 1, ownedDuplicates: 0, osOwnedSkipped: 0 },
  } as unknown as MatchResult;
}

describe('MatchCache', () => {
  it('round-trips a result onto the SBOM’s own package objects', () => {
    const dir = temp();
    const p = pkg('p1', 'left-pad');
    const cache = new MatchCache(dir);
    cache.write('k', result(p));
    const back = cache.read('k', [pkg('p0', 'other'), p])!;
    expect(back.findings[0]!.package).toBe(p);
    expect(back.notEvaluated[0]!.package).toBe(p);
    expect(back.findings[0]!.fixedVersion).toBe('1.0.1');
    expect(back.stats.packagesMatched).toBe(1);
  });

  it('misses (and removes the file) when it is damaged or names a package the SBOM lacks', () => {
    const dir = temp();
    const p = pkg('p1', 'left-pad');
    const cache = new MatchCache(dir);
    cache.write('k', result(p));
    expect(cache.read('k', [pkg('p2', 'left-pad')])).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    cache.write('k', result(p));
    const file = join(dir, 'k.bwm');
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(file, bytes);
    expect(cache.read('k', [p])).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(file, 'not a cache file');
    expect(cache.read('k', [p])).toBeUndefined();
    expect(cache.read('absent', [p])).toBeUndefined();
  });

  it('keys on the database file’s identity and on the options', () => {
    const dir = temp();
    const db = join(dir, 'a.sqlite');
    writeFileSync(db, 'one');
    const k1 = matchKey(
      'sbom',
      { path: db, builtAt: 't1' },
      { includeOsOwned: false, severitySource: 'auto' },
    );
    expect(
      matchKey('sbom', { path: db, builtAt: 't1' }, { severitySource: 'auto', includeOsOwned: false }),
    ).toBe(k1);
    expect(
      matchKey('sbom', { path: db, builtAt: 't2' }, { includeOsOwned: false, severitySource: 'auto' }),
    ).not.toBe(k1);
    expect(
      matchKey('sbom', { path: db, builtAt: 't1' }, { includeOsOwned: true, severitySource: 'auto' }),
    ).not.toBe(k1);
    expect(
      matchKey('other', { path: db, builtAt: 't1' }, { includeOsOwned: false, severitySource: 'auto' }),
    ).not.toBe(k1);
    const copy = join(dir, 'b.sqlite');
    copyFileSync(db, copy);
    rmSync(db);
    copyFileSync(copy, db); // same bytes, new file: another inode or time
    expect(
      matchKey('sbom', { path: db, builtAt: 't1' }, { includeOsOwned: false, severitySource: 'auto' }),
    ).not.toBe(k1);
    expect(matchKey('sbom', { path: join(dir, 'missing'), builtAt: 't1' }, {})).toBeUndefined();
  });
});

describe.skipIf(!haveVulndata() || !haveImages())('scanTarget with the match cache', () => {
  it('re-scans an unchanged image from the stored result, with the same report; another database misses', async () => {
    const work = temp();
    const { dbPath } = await importTestDb([osvDir('npm'), osvDir('Debian:12'), KEV_DIR]);
    const options = {
      db: dbPath,
      offline: true,
      cwd: work,
      env: { BULWARK_CACHE_DIR: join(work, 'cache') },
    };
    const target = `oci-dir://${imagePath('debian12-node', 'oci')}`;
    const json = (r: Awaited<ReturnType<typeof scanTarget>>) =>
      renderScanReport(r.report, 'json').replace(/"generatedAt": "[^"]*"/, '');
    const cold = await scanTarget(target, options);
    const layers = join(work, 'cache', 'layers');
    const stored = readdirSync(layers).filter((f) => f.endsWith('.bwm'));
    expect(stored).toHaveLength(1);
    const warm = await scanTarget(target, options);
    expect(json(warm)).toBe(json(cold));
    expect(warm.report.findings.length).toBeGreaterThan(0);

    // The warm scan really reads the stored result: a stored result without findings is what it reports.
    const key = stored[0]!.slice(0, -'.bwm'.length);
    const cache = new MatchCache(layers);
    const original = cache.read(key, warm.report.sbom.packages)!;
    cache.write(key, { ...original, findings: [] });
    expect((await scanTarget(target, options)).report.findings).toHaveLength(0);

    // Another database file: another key, matched afresh.
    const other = await importTestDb([osvDir('npm'), osvDir('Debian:12'), KEV_DIR]);
    const again = await scanTarget(target, { ...options, db: other.dbPath });
    expect(JSON.stringify(again.report.findings)).toBe(JSON.stringify(cold.report.findings));
    expect(readdirSync(layers).filter((f) => f.endsWith('.bwm'))).toHaveLength(2);
  });
});
