/**
 * Matching rules on a small database imported (through the real import API) from OSV records written
 * here: source-package matching with binNMU versions, Ubuntu/Alpine/AlmaLinux ecosystems, PEP 503
 * names, alias merging (transitive, and DSA-style records with several upstream CVEs), nearest fix,
 * won't-fix, severity precedence, ownership de-duplication and risk ordering.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Distro, Package, Relationship } from '../model/package.js';
import { importInputs } from '../db/import.js';
import { openDatabase, type VulnDatabase } from '../db/store.js';
import { SBOM_SCHEMA, type Sbom } from '../model/sbom.js';
import { compareFindings, matchSbom } from './match.js';
import { matcherFor, queriesOf } from './matchers/index.js';
import { riskScore } from './risk.js';

const range = (fixed?: string, introduced = '0') => [
  { type: 'ECOSYSTEM', events: [{ introduced }, ...(fixed ? [{ fixed }] : [])] },
];
const rec = (id: string, affected: unknown[], extra: Record<string, unknown> = {}) => ({
  schema_version: '1.6.0',
  id,
  modified: '2024-01-01T00:00:00Z',
  published: '2023-06-01T00:00:00Z',
  affected,
  ...extra,
});
const pkgEntry = (ecosystem: string, name: string, ranges: unknown, extra: Record<string, unknown> = {}) => ({
  package: { ecosystem, name },
  ranges,
  ...extra,
});

const RECORDS = [
  // Debian: per source package, source versions
  rec('DEBIAN-CVE-2024-0001', [pkgEntry('Debian:12', 'openssl', range('3.0.13-1~deb12u1'))], {
    upstream: ['CVE-2024-0001'],
  }),
  rec('DEBIAN-CVE-2024-0002', [pkgEntry('Debian:12', 'openssl', range('3.0.13-1~deb12u1'))], {
    upstream: ['CVE-2024-0002'],
  }),
  rec('DSA-5999-1', [pkgEntry('Debian:12', 'openssl', range('3.0.13-1~deb12u1'))], {
    upstream: ['CVE-2024-0001', 'CVE-2024-0002'],
    summary: 'openssl security update',
  }),
  rec('DEBIAN-CVE-2024-0003', [pkgEntry('Debian:12', 'openssl', range('3.0.9-1'))], {
    upstream: ['CVE-2024-0003'],
  }),
  rec(
    'DEBIAN-CVE-2024-0004',
    [pkgEntry('Debian:12', 'libssh2', range(undefined), { ecosystem_specific: { urgency: 'unimportant' } })],
    { upstream: ['CVE-2024-0004'] },
  ),
  rec('DEBIAN-CVE-2024-0005', [pkgEntry('Debian:12', 'libssh2', range('1.10.0-3+deb12u1'))], {
    upstream: ['CVE-2024-0005'],
  }),
  rec('DEBIAN-CVE-2024-0006', [pkgEntry('Debian:11', 'libssh2', range('9.9'))], {
    upstream: ['CVE-2024-0006'],
  }),
  // Two branches: the nearest fix above the installed version is the one to take
  rec(
    'DEBIAN-CVE-2024-0007',
    [
      pkgEntry('Debian:12', 'curl', [
        {
          type: 'ECOSYSTEM',
          events: [
            { introduced: '0' },
            { fixed: '7.88.1-10+deb12u5' },
            { introduced: '8.0' },
            { fixed: '8.5.0-1' },
          ],
        },
      ]),
    ],
    { upstream: ['CVE-2024-0007'] },
  ),
  // Ubuntu LTS, Alpine, AlmaLinux
  rec('UBUNTU-CVE-2024-0010', [pkgEntry('Ubuntu:22.04:LTS', 'zlib', range('1:1.2.11.dfsg-2ubuntu9.3'))], {
    upstream: ['CVE-2024-0010'],
    severity: [{ type: 'Ubuntu', score: 'medium' }],
  }),
  rec('ALPINE-CVE-2024-0011', [pkgEntry('Alpine:v3.20', 'openssl', range('3.3.2-r0'))], {
    upstream: ['CVE-2024-0011'],
  }),
  rec('ALSA-2024:0012', [pkgEntry('AlmaLinux:9', 'vim-minimal', range('2:8.2.2637-20.el9_1'))], {
    summary: 'Moderate: vim security update',
    upstream: ['CVE-2024-0012'],
  }),
  // Language ecosystems: GHSA with a CVE alias and CVSS; PyPI names normalised
  rec('GHSA-aaaa-bbbb-cccc', [pkgEntry('npm', 'widget', range('2.0.0'))], {
    aliases: ['CVE-2024-0020'],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    database_specific: { severity: 'MODERATE' },
    summary: 'widget remote code execution',
    references: [
      { type: 'WEB', url: 'https://example.com/b' },
      { type: 'ADVISORY', url: 'https://example.com/a' },
    ],
  }),
  rec('OSV-2024-0020', [pkgEntry('npm', 'widget', range('2.0.1'))], { aliases: ['CVE-2024-0020'] }),
  rec('PYSEC-2024-1', [pkgEntry('PyPI', 'foo-bar', range('1.5'))], { aliases: ['CVE-2024-0030'] }),
  rec(
    'GO-2024-0001',
    [pkgEntry('Go', 'stdlib', [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.22.5' }] }])],
    { aliases: ['CVE-2024-0040'] },
  ),
  rec('GHSA-mmmm-nnnn-oooo', [pkgEntry('Maven', 'org.example:lib', range('1.2.0'))], {
    aliases: ['CVE-2024-0050'],
  }),
  // Another ecosystem's record for CVE-2024-0001: its CVSS rates the Debian finding that has none
  rec(
    'BIT-openssl-2024-0001',
    [
      pkgEntry('Bitnami', 'openssl', [
        { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '3.0.13' }] },
      ]),
    ],
    {
      aliases: ['CVE-2024-0001'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
    },
  ),
  // The same vulnerability in a Python module shipped inside a Debian package
  rec('DEBIAN-CVE-2024-0030', [pkgEntry('Debian:12', 'python-foo', range('1.5-1'))], {
    upstream: ['CVE-2024-0030'],
  }),
];

const DEBIAN: Distro = { id: 'debian', versionId: '12', idLike: [] };

function pkg(type: Package['type'], name: string, version: string, extra: Partial<Package> = {}): Package {
  return {
    id: `${type}-${name}-${version}`,
    name,
    version,
    type,
    purl: `pkg:${type}/${name}@${version}`,
    licenses: [],
    locations: [{ path: `/x/${name}` }],
    foundBy: 'test',
    ...extra,
  };
}

function sbom(packages: Package[], distro?: Distro, relationships: Relationship[] = []): Sbom {
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: 'test' },
    source: { kind: 'directory', target: 'fs://x', path: '/x' },
    ...(distro ? { distro } : {}),
    packages,
    relationships,
    unknowns: [],
    catalogers: [],
  };
}

let dir: string;
let db: VulnDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bulwark-match-'));
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  for (const r of RECORDS) writeFileSync(join(osv, `${r.id.replace(/:/g, '_')}.json`), JSON.stringify(r));
  await importInputs([osv], { dbPath: join(dir, 'db.sqlite') });
  db = openDatabase(join(dir, 'db.sqlite'));
});
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('matchers', () => {
  it.each<[string, Package, Distro | undefined, { ecosystem: string; name: string; version: string }[]]>([
    [
      'deb binNMU → source version',
      pkg('deb', 'libssh2-1', '1.10.0-3+b1', { sourceName: 'libssh2' }),
      DEBIAN,
      [{ ecosystem: 'Debian:12', name: 'libssh2', version: '1.10.0-3' }],
    ],
    [
      'deb Source: with version',
      pkg('deb', 'libssl3', '3.0.11-1~deb12u2+b1', {
        sourceName: 'openssl',
        sourceVersion: '3.0.11-1~deb12u2',
      }),
      { ...DEBIAN, versionId: '12.5' },
      [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' }],
    ],
    [
      'ubuntu LTS',
      pkg('deb', 'zlib1g', '1:1.2.11.dfsg-2ubuntu9.2', { sourceName: 'zlib' }),
      { id: 'ubuntu', versionId: '22.04', idLike: ['debian'] },
      [{ ecosystem: 'Ubuntu:22.04:LTS', name: 'zlib', version: '1:1.2.11.dfsg-2ubuntu9.2' }],
    ],
    [
      'ubuntu interim',
      pkg('deb', 'zlib1g', '1.0', { sourceName: 'zlib' }),
      { id: 'ubuntu', versionId: '23.10', idLike: [] },
      [{ ecosystem: 'Ubuntu:23.10', name: 'zlib', version: '1.0' }],
    ],
    [
      'deb distro from the PURL',
      pkg('deb', 'bash', '5.2-1', { purl: 'pkg:deb/debian/bash@5.2-1?distro=debian-12' }),
      undefined,
      [{ ecosystem: 'Debian:12', name: 'bash', version: '5.2-1' }],
    ],
    ['deb unknown release', pkg('deb', 'bash', '5.2-1'), { id: 'debian', idLike: [] }, []],
    [
      'alpine origin',
      pkg('apk', 'libcrypto3', '3.3.1-r0', { sourceName: 'openssl' }),
      { id: 'alpine', versionId: '3.20.1', idLike: [] },
      [{ ecosystem: 'Alpine:v3.20', name: 'openssl', version: '3.3.1-r0' }],
    ],
    [
      'almalinux',
      pkg('rpm', 'vim-minimal', '2:8.2.2637-16.el9_0.3'),
      { id: 'almalinux', versionId: '9.4', idLike: [] },
      [{ ecosystem: 'AlmaLinux:9', name: 'vim-minimal', version: '2:8.2.2637-16.el9_0.3' }],
    ],
    [
      'pypi PEP 503',
      pkg('pypi', 'Foo_Bar.baz', '1.0'),
      undefined,
      [{ ecosystem: 'PyPI', name: 'foo-bar-baz', version: '1.0' }],
    ],
    [
      'go stdlib',
      pkg('golang', 'stdlib', '1.22.3'),
      undefined,
      [{ ecosystem: 'Go', name: 'stdlib', version: '1.22.3' }],
    ],
    ['go (devel)', pkg('golang', 'example.com/app', '(devel)'), undefined, []],
    [
      'maven group:artifact',
      pkg('maven', 'org.example:lib', '1.0'),
      undefined,
      [{ ecosystem: 'Maven', name: 'org.example:lib', version: '1.0' }],
    ],
    ['maven without group', pkg('maven', 'lib', '1.0'), undefined, []],
    [
      'cargo',
      pkg('cargo', 'serde', '1.0.0'),
      undefined,
      [{ ecosystem: 'crates.io', name: 'serde', version: '1.0.0' }],
    ],
    [
      'composer',
      pkg('composer', 'laravel/framework', '10.0.0'),
      undefined,
      [{ ecosystem: 'Packagist', name: 'laravel/framework', version: '10.0.0' }],
    ],
  ])('%s', (_name, p, distro, expected) => {
    const plan = matcherFor(p.type)!.plan(p, distro ? { distro } : {});
    expect(queriesOf(plan).map(({ ecosystem, name, version }) => ({ ecosystem, name, version }))).toEqual(
      expected,
    );
  });
  it('matches a tarball Go toolchain as Go stdlib and says why other runtimes are not evaluated', () => {
    const go = { ...pkg('binary', 'go', '1.22rc1'), foundBy: 'runtime-go' };
    expect(queriesOf(matcherFor('binary')!.plan(go, {}))).toEqual([
      { ecosystem: 'Go', name: 'stdlib', version: '1.22.0-rc.1' },
    ]);
    const node = { ...pkg('binary', 'node', '20.11.1'), foundBy: 'runtime-node' };
    expect(matcherFor('binary')!.plan(node, {})).toEqual({
      skip: expect.objectContaining({ reason: 'no-advisory-source' }) as unknown,
    });
  });
});

describe('matchSbom', () => {
  it('merges aliases and attaches a multi-CVE advisory to each of its CVEs', () => {
    const openssl = pkg('deb', 'libssl3', '3.0.11-1~deb12u2', { sourceName: 'openssl' });
    const { findings } = matchSbom(sbom([openssl], DEBIAN), db);
    expect(findings.map((f) => f.vulnerabilityId).sort()).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    for (const f of findings) {
      expect(f.aliases).toEqual([f.vulnerabilityId, `DEBIAN-${f.vulnerabilityId}`, 'DSA-5999-1']);
      expect(f.matches.map((m) => m.recordId)).toEqual([`DEBIAN-${f.vulnerabilityId}`, 'DSA-5999-1']);
      expect(f.fixedVersion).toBe('3.0.13-1~deb12u1');
      expect(f.summary).toBe('openssl security update');
    }
    // 3.0.11 is above the 3.0.9 fix of CVE-2024-0003: not reported
    // no merged record rates CVE-2024-0001: the CVSS of another record with that CVE does
    const rated = findings.find((f) => f.vulnerabilityId === 'CVE-2024-0001')!;
    expect([rated.severity, rated.severitySource, rated.cvss?.score]).toEqual([
      'high',
      'cvss:BIT-openssl-2024-0001',
      7.5,
    ]);
    expect(rated.aliases).not.toContain('BIT-openssl-2024-0001');
    const unrated = findings.find((f) => f.vulnerabilityId === 'CVE-2024-0002')!;
    expect([unrated.severity, unrated.severitySource]).toEqual(['unknown', 'none']);
    const vendorOnly = matchSbom(sbom([openssl], DEBIAN), db, { severitySource: 'vendor' }).findings;
    expect(vendorOnly.every((f) => f.severity === 'unknown')).toBe(true);
  });

  it('merges GHSA and other records sharing a CVE, with severity, CVSS and references', () => {
    const { findings } = matchSbom(sbom([pkg('npm', 'widget', '1.0.0')]), db);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.vulnerabilityId).toBe('CVE-2024-0020');
    expect(f.aliases).toEqual(['CVE-2024-0020', 'GHSA-aaaa-bbbb-cccc', 'OSV-2024-0020']);
    expect(f.fixedVersions).toEqual(['2.0.0', '2.0.1']);
    expect(f.fixedVersion).toBe('2.0.0');
    expect(f.severity).toBe('medium');
    expect(f.severitySource).toBe('ghsa');
    expect(f.cvss).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 9.8,
    });
    expect(f.references).toEqual(['https://example.com/a', 'https://example.com/b']);
    expect(f.matches[0]!.reason).toMatch(/1\.0\.0 is in \[0, 2\.0\.0\)/);
    // --severity-source cvss prefers the score
    const cvss = matchSbom(sbom([pkg('npm', 'widget', '1.0.0')]), db, { severitySource: 'cvss' })
      .findings[0]!;
    expect([cvss.severity, cvss.severitySource]).toEqual(['critical', 'cvss']);
    const vendor = matchSbom(sbom([pkg('npm', 'widget', '1.0.0')]), db, { severitySource: 'vendor' })
      .findings[0]!;
    expect(vendor.severity).toBe('medium');
  });

  it('reports nothing at or above every fixed version', () => {
    const { findings } = matchSbom(
      sbom(
        [pkg('npm', 'widget', '2.0.1'), pkg('deb', 'libssl3', '3.0.13-1~deb12u1', { sourceName: 'openssl' })],
        DEBIAN,
      ),
      db,
    );
    expect(findings).toEqual([]);
  });

  it("uses the nearest fix above the installed version and says won't fix where the data does", () => {
    const { findings } = matchSbom(
      sbom(
        [pkg('deb', 'curl', '8.1.0-1'), pkg('deb', 'libssh2-1', '1.10.0-3+b1', { sourceName: 'libssh2' })],
        DEBIAN,
      ),
      db,
    );
    const by = (id: string) => findings.find((f) => f.vulnerabilityId === id)!;
    expect(by('CVE-2024-0007')).toMatchObject({
      fixState: 'fixed',
      fixedVersion: '8.5.0-1',
      fixedVersions: ['7.88.1-10+deb12u5', '8.5.0-1'],
    });
    expect(by('CVE-2024-0004')).toMatchObject({ fixState: 'wont-fix', fixedVersions: [] });
    expect(by('CVE-2024-0004').fixedVersion).toBeUndefined();
    expect(by('CVE-2024-0005')).toMatchObject({ fixState: 'fixed', fixedVersion: '1.10.0-3+deb12u1' });
    expect(findings.some((f) => f.vulnerabilityId === 'CVE-2024-0006')).toBe(false); // Debian 11 only
  });

  it('matches Ubuntu, Alpine and AlmaLinux packages in their ecosystems', () => {
    const ubuntu = matchSbom(
      sbom([pkg('deb', 'zlib1g', '1:1.2.11.dfsg-2ubuntu9.2', { sourceName: 'zlib' })], {
        id: 'ubuntu',
        versionId: '22.04',
        idLike: [],
      }),
      db,
    ).findings;
    expect(ubuntu.map((f) => [f.vulnerabilityId, f.severity, f.severitySource])).toEqual([
      ['CVE-2024-0010', 'medium', 'ubuntu'],
    ]);
    const alpine = matchSbom(
      sbom([pkg('apk', 'libssl3', '3.3.1-r0', { sourceName: 'openssl' })], {
        id: 'alpine',
        versionId: '3.20.2',
        idLike: [],
      }),
      db,
    ).findings;
    expect(alpine.map((f) => f.vulnerabilityId)).toEqual(['CVE-2024-0011']);
    const alma = matchSbom(
      sbom([pkg('rpm', 'vim-minimal', '2:8.2.2637-16.el9_0.3')], {
        id: 'almalinux',
        versionId: '9.4',
        idLike: [],
      }),
      db,
    ).findings;
    expect(alma.map((f) => [f.vulnerabilityId, f.severity])).toEqual([['CVE-2024-0012', 'medium']]);
  });

  it('matches PyPI by normalised name, Go stdlib and Maven coordinates', () => {
    const { findings } = matchSbom(
      sbom([
        pkg('pypi', 'Foo_Bar', '1.0'),
        pkg('golang', 'stdlib', '1.22.3'),
        pkg('maven', 'org.example:lib', '1.1.0'),
      ]),
      db,
    );
    expect(findings.map((f) => `${f.package.name} ${f.vulnerabilityId}`).sort()).toEqual([
      'Foo_Bar CVE-2024-0030',
      'org.example:lib CVE-2024-0050',
      'stdlib CVE-2024-0040',
    ]);
    expect(findings.find((f) => f.package.name === 'stdlib')?.fixedVersion).toBe('1.22.5');
    const modules = matchSbom(
      sbom([pkg('golang', 'stdlib', 'v1.22.3'), pkg('pypi', 'foo.bar', '1.5')]),
      db,
    ).findings;
    expect(modules.map((f) => [f.package.name, f.fixedVersion])).toEqual([['stdlib', '1.22.5']]);
  });

  it('matches OS-owned language packages through their owner only, unless includeOsOwned', () => {
    const deb = pkg('deb', 'python3-foo', '1.0-1', { sourceName: 'python-foo' });
    const py = pkg('pypi', 'foo-bar', '1.0');
    const widget = pkg('npm', 'widget', '1.0.0');
    const owned = sbom([deb, py, widget], DEBIAN, [
      { from: deb.id, to: py.id, type: 'ownership-by-file-overlap' },
      { from: deb.id, to: widget.id, type: 'ownership-by-file-overlap' },
    ]);
    const byDefault = matchSbom(owned, db);
    expect(byDefault.findings.map((f) => `${f.package.name} ${f.vulnerabilityId}`)).toEqual([
      'python3-foo CVE-2024-0030',
    ]);
    expect(byDefault.stats.osOwnedSkipped).toBe(2);
    // An owner that cannot be matched itself (a release with no advisory ecosystem) does not hide the
    // packages it owns: they are matched by their own version, marked.
    const unmapped = sbom([deb, py, widget], { id: 'debian', idLike: [] }, [...owned.relationships]);
    const fallback = matchSbom(unmapped, db);
    expect(
      fallback.findings.map((f) => `${f.package.name} ${f.vulnerabilityId} ${f.ownedBy?.name}`).sort(),
    ).toEqual(['foo-bar CVE-2024-0030 python3-foo', 'widget CVE-2024-0020 python3-foo']);
    expect(fallback.stats.osOwnedSkipped).toBe(0);
    // An ownership link from a language package (e.g. a jar inside a jar) does not make an OS-owned package.
    const nested = sbom([py, widget], DEBIAN, [
      { from: py.id, to: widget.id, type: 'ownership-by-file-overlap' },
    ]);
    expect(matchSbom(nested, db).stats.osOwnedSkipped).toBe(0);
  });

  it('with includeOsOwned: drops a language finding its owning OS package already reports, marks the others', () => {
    const deb = pkg('deb', 'python3-foo', '1.0-1', { sourceName: 'python-foo' });
    const py = pkg('pypi', 'foo-bar', '1.0');
    const widget = pkg('npm', 'widget', '1.0.0');
    const owned = sbom([deb, py, widget], DEBIAN, [
      { from: deb.id, to: py.id, type: 'ownership-by-file-overlap' },
      { from: deb.id, to: widget.id, type: 'ownership-by-file-overlap' },
    ]);
    const { findings, stats } = matchSbom(owned, db, { includeOsOwned: true });
    expect(
      findings.map((f) => `${f.package.name} ${f.vulnerabilityId} ${f.ownedBy?.name ?? '-'}`).sort(),
    ).toEqual(['python3-foo CVE-2024-0030 -', 'widget CVE-2024-0020 python3-foo']);
    expect(findings.find((f) => f.ownedBy)!.ownedBy).toEqual({
      name: 'python3-foo',
      version: '1.0-1',
      type: 'deb',
      purl: deb.purl,
    });
    expect(stats.ownedDuplicates).toBe(1);
    expect(stats.osOwnedSkipped).toBe(0);
    // without the relationship both are reported
    expect(matchSbom(sbom([deb, py], DEBIAN), db).findings).toHaveLength(2);
  });

  it('orders by risk, then deterministically', () => {
    const { findings } = matchSbom(
      sbom(
        [
          pkg('npm', 'widget', '1.0.0'),
          pkg('deb', 'curl', '8.1.0-1'),
          pkg('deb', 'libssh2-1', '1.10.0-3', { sourceName: 'libssh2' }),
        ],
        DEBIAN,
      ),
      db,
    );
    expect([...findings].sort(compareFindings)).toEqual(findings);
    expect(findings[0]!.vulnerabilityId).toBe('CVE-2024-0020'); // CVSS 9.8 and fixable
    expect(findings.at(-1)!.fixState).toBe('wont-fix');
  });
});

describe('risk score', () => {
  it('lets KEV dominate, then EPSS, severity and fixability', () => {
    const kevLow = riskScore({ kev: true, severity: 'low', fixable: false });
    const maxNoKev = riskScore({
      kev: false,
      epss: 1,
      severity: 'critical',
      cvss: { version: '3.1', vector: '', score: 10 },
      fixable: true,
    });
    expect(kevLow).toBeGreaterThanOrEqual(maxNoKev);
    expect(riskScore({ kev: false, epss: 0.9, severity: 'low', fixable: false })).toBeGreaterThan(
      riskScore({ kev: false, epss: 0, severity: 'critical', fixable: false }),
    );
    expect(riskScore({ kev: false, severity: 'high', fixable: true })).toBeGreaterThan(
      riskScore({ kev: false, severity: 'high', fixable: false }),
    );
  });
});
