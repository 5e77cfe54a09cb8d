/**
 * Debian's own language packages on a real image: debian12-node of the language cache, built by the
 * shared image script with `APT_PKGS="python3-requests ruby-rack liblog4j2-java node-cookie
 * node-path-to-regexp"` (python3-requests pulls python3-urllib3, idna, certifi…), matched against
 * advisories imported from the shared corpus (npm, PyPI, RubyGems, Maven, Debian:12, KEV).
 *
 * The expectations come from a reference written here: which files each dpkg package owns is read
 * from `/var/lib/dpkg/info/*.list` directly, and which advisories apply is a plain walk over the OSV
 * JSON files' ranges. By default no PyPI/npm/RubyGems/Maven finding may concern a package whose file a
 * dpkg package owns, although the reference proves such findings would arise by upstream version
 * (requests 2.28.1, urllib3 1.26.12, cookie 0.5.0, path-to-regexp 6.2.1 are below advisories' fixes);
 * every other (package, advisory) pair is found. With `includeOsOwned` the owned packages' pairs are
 * found as well, each marked with the dpkg package that owns it.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSource } from '../catalog/run.js';
import type { Cataloger } from '../catalog/types.js';
import type { Package } from '../model/package.js';
import { openDatabase, type VulnDatabase } from '../db/index.js';
import type { Sbom } from '../model/sbom.js';
import { openSource } from '../source/open.js';
import { haveLangImage, langImagePath } from '../test-support/images.js';
import type { VersionSchemeId } from '../version/index.js';
import { matchSbom } from './match.js';
import { inRange, type RawRecord } from './test-support/reference.js';
import type { Finding } from './types.js';
import { KEV_DIR, allCatalogers, haveVulndata, importTestDb, osvDir } from './test-support/vulndata.js';

/** The language ecosystems: package type → OSV ecosystem, version scheme, name as advisories spell it. */
const LANGUAGES: Record<
  string,
  { ecosystem: string; scheme: VersionSchemeId; name: (p: Package) => string }
> = {
  npm: { ecosystem: 'npm', scheme: 'semver', name: (p) => p.name },
  pypi: { ecosystem: 'PyPI', scheme: 'pep440', name: (p) => p.name.toLowerCase().replace(/[-_.]+/g, '-') },
  gem: { ecosystem: 'RubyGems', scheme: 'rubygems', name: (p) => p.name },
  maven: { ecosystem: 'Maven', scheme: 'maven', name: (p) => p.name },
};

function loadRecords(ecosystem: string): RawRecord[] {
  const dir = osvDir(ecosystem);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RawRecord)
    .filter((r) => !r.withdrawn);
}

/** Records of `records` whose entry for (ecosystem, name) contains `version`. */
function affecting(
  records: readonly RawRecord[],
  ecosystem: string,
  name: string,
  version: string,
  scheme: VersionSchemeId,
): RawRecord[] {
  return records.filter((r) =>
    (r.affected ?? []).some(
      (a) =>
        a.package?.ecosystem === ecosystem &&
        a.package.name === name &&
        ((a.versions ?? []).includes(version) ||
          (a.ranges ?? []).some((rg) => rg.type !== 'GIT' && inRange(version, rg.events, scheme))),
    ),
  );
}

const ids = (r: RawRecord): string[] => [r.id, ...(r.aliases ?? []), ...(r.upstream ?? [])];

const LIST = /^\/var\/lib\/dpkg\/info\/([^/]+)\.list$/;

/** Buffers the dpkg file lists for the reference; reports nothing. */
const listProbe: Cataloger = {
  id: 'test-dpkg-lists',
  version: 1,
  match: (p) => LIST.test(p),
  catalog: () => ({ packages: [] }),
};

interface Reference {
  /** Language package id → the dpkg package owning the file its metadata was read from. */
  owner: Map<string, Package>;
  /** `<package id> <name>@<version> <record id>` for every language and Debian pair a range walk finds. */
  pairs: Map<string, { pkg: Package; record: RawRecord }>;
}

function reference(sbom: Sbom, lists: Map<string, string>): Reference {
  const debs = sbom.packages.filter((p) => p.type === 'deb');
  const fileOwner = new Map<string, Package>();
  for (const [pkgName, content] of lists) {
    const deb = debs.find((d) => d.name === pkgName);
    if (!deb) continue;
    for (const line of content.split('\n')) if (line.startsWith('/')) fileOwner.set(line, deb);
  }
  const owner = new Map<string, Package>();
  const pairs = new Map<string, { pkg: Package; record: RawRecord }>();
  const add = (pkg: Package, record: RawRecord): void => {
    pairs.set(`${pkg.id} ${pkg.name}@${pkg.version} ${record.id}`, { pkg, record });
  };
  const byEcosystem = new Map<string, RawRecord[]>();
  const recordsOf = (eco: string): RawRecord[] => {
    let list = byEcosystem.get(eco);
    if (!list) byEcosystem.set(eco, (list = loadRecords(eco)));
    return list;
  };
  for (const p of sbom.packages) {
    // Any package found in a file a dpkg package lists (runtimes found by file included) is OS-owned.
    const o = p.type === 'deb' ? undefined : fileOwner.get(p.locations[0]!.path.split('!')[0]!);
    if (o) owner.set(p.id, o);
    const lang = LANGUAGES[p.type];
    if (lang) {
      for (const r of affecting(
        recordsOf(lang.ecosystem),
        lang.ecosystem,
        lang.name(p),
        p.version,
        lang.scheme,
      ))
        add(p, r);
    } else if (p.type === 'deb') {
      const version = (p.sourceVersion ?? p.version).replace(/\+b\d+$/, '');
      for (const r of affecting(recordsOf('Debian:12'), 'Debian:12', p.sourceName ?? p.name, version, 'dpkg'))
        add(p, r);
    }
  }
  return { owner, pairs };
}

function actualPairs(findings: readonly Finding[]): string[] {
  return findings
    .flatMap((f) =>
      f.matches.map((m) => `${f.package.id} ${f.package.name}@${f.package.version} ${m.recordId}`),
    )
    .sort();
}

const haveAll = haveLangImage() && haveVulndata();

describe.skipIf(!haveAll)('OS-owned language packages of debian12-node (language cache)', () => {
  let sbom: Sbom;
  let db: VulnDatabase;
  let dir: string;
  let ref: Reference;

  beforeAll(async () => {
    const imported = await importTestDb(
      ['npm', 'PyPI', 'RubyGems', 'Maven', 'Debian:12'].map((e) => osvDir(e)).concat(KEV_DIR),
    );
    dir = imported.dir;
    db = openDatabase(imported.dbPath);
    const source = await openSource(`oci-dir://${langImagePath('oci')}`);
    try {
      const out = await catalogSource(source, { catalogers: [...allCatalogers(), listProbe] });
      sbom = out.sbom;
      const lists = new Map<string, string>();
      for (const node of out.tree.walk(out.tree.lookup('/var/lib/dpkg/info')!)) {
        const m = LIST.exec(node.header.path);
        if (m && node.content) lists.set(m[1]!.replace(/:[^:]+$/, ''), node.content.toString('utf8'));
      }
      ref = reference(sbom, lists);
    } finally {
      await source.close();
    }
  }, 240_000);
  afterAll(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has Debian python3-*, node-*, ruby-* and lib*-java packages whose upstream versions PyPI/npm/RubyGems advisories would flag', () => {
    const flagged = new Set<string>();
    for (const { pkg } of ref.pairs.values()) {
      const o = ref.owner.get(pkg.id);
      if (o) flagged.add(`${pkg.type} ${pkg.name}@${pkg.version} <- ${o.name}`);
    }
    expect([...flagged]).toEqual(
      expect.arrayContaining([
        'npm cookie@0.5.0 <- node-cookie',
        'npm path-to-regexp@6.2.1 <- node-path-to-regexp',
        'pypi requests@2.28.1 <- python3-requests',
        'pypi urllib3@1.26.12 <- python3-urllib3',
      ]),
    );
    // python3-requests pulled python3-urllib3 in, and its dist-packages entry is a pypi package.
    expect(sbom.packages.some((p) => p.type === 'deb' && p.name === 'python3-urllib3')).toBe(true);
    const owners = new Set([...ref.owner.values()].map((o) => o.name));
    for (const deb of [
      'python3-requests',
      'python3-urllib3',
      'node-cookie',
      'node-path-to-regexp',
      'ruby-rack',
      'liblog4j2-java',
    ])
      expect(owners, deb).toContain(deb);
  });

  it('by default: no language finding for an OS-owned package, and every other pair of the reference', () => {
    const { findings, stats } = matchSbom(sbom, db);
    const owned = findings.filter((f) => ref.owner.has(f.package.id));
    expect(owned.map((f) => `${f.package.name}@${f.package.version} ${f.vulnerabilityId}`)).toEqual([]);
    expect(findings.filter((f) => f.ownedBy)).toEqual([]);
    expect(stats.osOwnedSkipped).toBe(ref.owner.size);
    const expected = [...ref.pairs.keys()].filter((k) => !ref.owner.has(k.split(' ')[0]!)).sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(actualPairs(findings)).toEqual(expected);
  });

  it('with includeOsOwned: the owned packages are matched too, each finding marked with its dpkg owner', () => {
    const { findings, stats } = matchSbom(sbom, db, { includeOsOwned: true });
    expect(stats.osOwnedSkipped).toBe(0);
    // The one documented exception: a language finding sharing an id with a finding of its owner is
    // reported once, on the owner.
    const ownerIds = new Map<string, Set<string>>();
    for (const { pkg, record } of ref.pairs.values()) {
      if (pkg.type !== 'deb') continue;
      const set = ownerIds.get(pkg.id) ?? new Set<string>();
      for (const id of ids(record)) set.add(id);
      ownerIds.set(pkg.id, set);
    }
    const expected = [...ref.pairs.entries()]
      .filter(([, { pkg, record }]) => {
        const o = ref.owner.get(pkg.id);
        return !o || !ids(record).some((id) => ownerIds.get(o.id)?.has(id));
      })
      .map(([k]) => k)
      .sort();
    expect(actualPairs(findings)).toEqual(expected);
    const ownedFindings = findings.filter((f) => ref.owner.has(f.package.id));
    expect(ownedFindings.length).toBeGreaterThan(0);
    for (const f of findings) {
      const o = ref.owner.get(f.package.id);
      expect({ pkg: `${f.package.name}@${f.package.version}`, ownedBy: f.ownedBy }).toEqual({
        pkg: `${f.package.name}@${f.package.version}`,
        ownedBy: o ? { name: o.name, version: o.version, type: 'deb', purl: o.purl } : undefined,
      });
    }
    const marked = new Set(ownedFindings.map((f) => `${f.package.name} <- ${f.ownedBy!.name}`));
    expect([...marked]).toEqual(
      expect.arrayContaining([
        'cookie <- node-cookie',
        'path-to-regexp <- node-path-to-regexp',
        'requests <- python3-requests',
        'urllib3 <- python3-urllib3',
      ]),
    );
  });
});
