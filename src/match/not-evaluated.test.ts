/**
 * Silent misses: every recognised distro maps to its OSV ecosystem or is reported as not evaluated;
 * an unparseable installed version or range event is "not evaluated", never "not affected"; a bug in
 * version comparison propagates; Red Hat-family releases never take another release's records or
 * fixes; a Go toolchain unpacked from a tarball is matched as Go `stdlib`. Databases are imported
 * through the real import API from records written here and from the shared advisory corpus.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Distro, Package } from '../model/package.js';
import { importInputs } from '../db/import.js';
import { openDatabase, type VulnDatabase } from '../db/store.js';
import { SBOM_SCHEMA, type Sbom } from '../model/sbom.js';
import { getScheme } from '../version/index.js';
import { matchSbom } from './match.js';
import { elMajor, isSkip, osEcosystems, redHatStream } from './matchers/os-ecosystem.js';
import { osvDir } from './test-support/vulndata.js';

const rec = (id: string, affected: unknown[], extra: Record<string, unknown> = {}) => ({
  schema_version: '1.6.0',
  id,
  modified: '2024-01-01T00:00:00Z',
  affected,
  ...extra,
});
const fixedIn = (fixed: string, introduced = '0') => [
  { type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] },
];
const entry = (ecosystem: string, name: string, ranges: unknown) => ({
  package: { ecosystem, name },
  ranges,
});

/** Modelled on Red Hat's own OSV records: one affected entry per product stream (CPE) and package. */
const RED_HAT = rec('RHSA-2024:0001', [
  entry(
    'Red Hat:enterprise_linux:8::appstream',
    'ruby',
    fixedIn('0:2.5.9-111.module+el8.9.0+19193+435404ae'),
  ),
  entry('Red Hat:enterprise_linux:9::appstream', 'ruby', fixedIn('0:3.0.7-163.el9')),
  entry('Red Hat:rhel_eus:9.2::appstream', 'ruby', fixedIn('0:3.0.4-161.el9_2.2')),
  entry('Red Hat:openshift:4.14::el9', 'ruby', fixedIn('0:3.1.4-1.el9')),
]);

/** One record, two module streams of nodejs in the same product stream (PURL `rpmmod` qualifiers). */
const RED_HAT_MODULES = rec('RHSA-2024:0002', [
  {
    package: {
      ecosystem: 'Red Hat:enterprise_linux:8::appstream',
      name: 'nodejs',
      purl: 'pkg:rpm/redhat/nodejs?arch=src&rpmmod=nodejs:18:8090020240110131225:a75119d5',
    },
    ranges: fixedIn('1:18.19.0-1.module+el8.9.0+21001+7ed1d8f3'),
  },
  {
    package: {
      ecosystem: 'Red Hat:enterprise_linux:8::appstream',
      name: 'nodejs',
      purl: 'pkg:rpm/redhat/nodejs?arch=src&rpmmod=nodejs:20:8090020240108164326:a75119d5',
    },
    ranges: fixedIn('1:20.11.0-1.module+el8.9.0+21012+3d7d8b3c'),
  },
]);

const RECORDS = [
  RED_HAT,
  RED_HAT_MODULES,
  rec('DEBIAN-CVE-2024-1000', [entry('Debian:13', 'zlib', fixedIn('1:1.3.dfsg-3.1'))], {
    upstream: ['CVE-2024-1000'],
  }),
  rec('DEBIAN-CVE-2024-2000', [entry('Debian:12', 'bash', fixedIn('5.2.15-2+b9'))], {
    upstream: ['CVE-2024-2000'],
  }),
  // A range event no dpkg version can be: the package is not evaluated against this record.
  rec('DEBIAN-CVE-2024-3000', [entry('Debian:12', 'bash', fixedIn('not a version!'))], {
    upstream: ['CVE-2024-3000'],
  }),
  rec('GHSA-aaaa-bbbb-cccc', [entry('npm', 'left-pad', fixedIn('1.3.0'))]),
];

function pkg(type: Package['type'], name: string, version: string, extra: Partial<Package> = {}): Package {
  return {
    id: `${type}-${name}-${version}`,
    name,
    version,
    type,
    purl: `pkg:${type}/${name}@${version}`,
    licenses: [],
    locations: [{ path: '/var/lib/pkgdb' }],
    foundBy: 'test',
    ...extra,
  };
}

function sbom(packages: Package[], distro?: Distro): Sbom {
  return {
    schema: SBOM_SCHEMA,
    tool: { name: 'bulwark', version: 'test' },
    source: { kind: 'directory', target: 'fs://x', path: '/x' },
    ...(distro ? { distro } : {}),
    packages,
    relationships: [],
    unknowns: [],
    catalogers: [],
  };
}

const os = (id: string, versionId?: string, prettyName?: string, versionCodename?: string): Distro => ({
  id,
  idLike: [],
  ...(versionId ? { versionId } : {}),
  ...(prettyName ? { prettyName } : {}),
  ...(versionCodename ? { versionCodename } : {}),
});

let dir: string;
let db: VulnDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bulwark-not-evaluated-'));
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

describe('OS release → OSV ecosystem', () => {
  const eco = (
    d: Distro,
    family: 'deb' | 'apk' | 'rpm',
    version = d.id === 'ubuntu' && d.versionId === '18.04' ? '2.7.4-0ubuntu1.10+esm1' : '1.0-1',
  ) => {
    const r = osEcosystems(
      { id: d.id, versionId: d.versionId, name: d.prettyName, codename: d.versionCodename },
      family,
      version,
    );
    return isSkip(r) ? r.reason : r.ecosystems;
  };
  it.each<[string, Distro, 'deb' | 'apk' | 'rpm', string | string[]]>([
    ['debian', os('debian', '12'), 'deb', ['Debian:12']],
    [
      'debian testing (os-release codename)',
      os('debian', undefined, 'Debian GNU/Linux trixie/sid', 'trixie'),
      'deb',
      ['Debian:13'],
    ],
    [
      'debian sid (PRETTY_NAME only)',
      os('debian', undefined, 'Debian GNU/Linux forky/sid'),
      'deb',
      ['Debian:14'],
    ],
    [
      'debian sid, unknown codename',
      os('debian', undefined, 'Debian GNU/Linux zzz/sid'),
      'deb',
      'no-advisory-ecosystem',
    ],
    ['ubuntu LTS', os('ubuntu', '24.04', 'Ubuntu 24.04.1 LTS'), 'deb', ['Ubuntu:24.04:LTS']],
    ['ubuntu interim', os('ubuntu', '24.10'), 'deb', ['Ubuntu:24.10']],
    [
      'ubuntu pro (+esm)',
      os('ubuntu', '18.04', 'Ubuntu 18.04.6 LTS'),
      'deb',
      ['Ubuntu:18.04:LTS', 'Ubuntu:Pro:18.04:LTS'],
    ],
    ['echo', os('echo', '2.0'), 'deb', ['Echo']],
    ['kali (a derivative: never its parent data)', os('kali', '2024.4'), 'deb', 'no-advisory-ecosystem'],
    ['alpine', os('alpine', '3.20.3'), 'apk', ['Alpine:v3.20']],
    ['wolfi', os('wolfi', '20230201'), 'apk', ['Wolfi']],
    ['chainguard', os('chainguard'), 'apk', ['Chainguard']],
    ['minimos', os('minimos', '20241031'), 'apk', ['MinimOS']],
    ['alpaquita', os('alpaquita', 'stream'), 'apk', ['Alpaquita:stream']],
    ['almalinux', os('almalinux', '8.10'), 'rpm', ['AlmaLinux:8']],
    ['rocky', os('rocky', '9.4'), 'rpm', ['Rocky Linux:9']],
    ['rhel', os('rhel', '9.4'), 'rpm', ['Red Hat']],
    ['opensuse leap', os('opensuse-leap', '15.6'), 'rpm', ['openSUSE:Leap 15.6']],
    ['opensuse tumbleweed', os('opensuse-tumbleweed', '20241201'), 'rpm', ['openSUSE:Tumbleweed']],
    [
      'sles 15 SP5 (per-module ecosystems)',
      os('sles', '15.5', 'SUSE Linux Enterprise Server 15 SP5'),
      'rpm',
      [
        'SUSE:Linux Enterprise Server 15 SP5',
        'SUSE:Linux Enterprise Module for Basesystem 15 SP5',
        'SUSE:Linux Enterprise Module for Server Applications 15 SP5',
        'SUSE:Linux Enterprise Module for Desktop Applications 15 SP5',
        'SUSE:Linux Enterprise Module for Development Tools 15 SP5',
        'SUSE:Linux Enterprise Server 15 SP5-LTSS',
      ],
    ],
    ['sles without a product name', os('sles', '15.5'), 'rpm', 'no-advisory-ecosystem'],
    ['photon', os('photon', '5.0'), 'rpm', ['Photon OS:5.0']],
    ['mageia', os('mageia', '9'), 'rpm', ['Mageia:9']],
    [
      'openEuler LTS-SP3',
      os('openeuler', '22.03', 'openEuler 22.03 (LTS-SP3)'),
      'rpm',
      ['openEuler:22.03-LTS-SP3'],
    ],
    ['azure linux', os('azurelinux', '3.0'), 'rpm', ['Azure Linux:3', 'Azure Linux:3.0']],
    ['cbl-mariner', os('mariner', '2.0'), 'rpm', ['Azure Linux:2', 'Azure Linux:2.0']],
    ['amazon linux', os('amzn', '2023'), 'rpm', 'no-advisory-ecosystem'],
    ['oracle linux', os('ol', '9.4'), 'rpm', 'no-advisory-ecosystem'],
    ['centos', os('centos', '7'), 'rpm', 'no-advisory-ecosystem'],
    ['fedora', os('fedora', '41'), 'rpm', 'no-advisory-ecosystem'],
    ['rpm packages on a Debian system', os('debian', '12'), 'rpm', 'no-advisory-ecosystem'],
  ])('%s', (_name, d, family, expected) => {
    expect(eco(d, family)).toEqual(expected);
  });

  it('reads Enterprise Linux dist tags and Red Hat product streams', () => {
    expect(elMajor('1:17.0.11.0.9-2.el8')).toBe('8');
    expect(elMajor('3.0.4-161.el9_2.2')).toBe('9');
    expect(elMajor('2.5.9-111.module+el8.9.0+19193+435404ae')).toBe('8');
    expect(elMajor('3.15-3.module_el8.6.0+3137+d33c3efb')).toBe('8');
    expect(elMajor('1.2-3')).toBeUndefined();
    expect(elMajor('1.0-1.delta9')).toBeUndefined();
    expect(redHatStream('Red Hat:enterprise_linux:9::appstream')).toEqual({
      product: 'enterprise_linux',
      version: '9',
    });
    expect(redHatStream('Red Hat:rhel_eus:9.2::baseos')).toEqual({ product: 'rhel_eus', version: '9.2' });
  });
});

describe('packages that cannot be evaluated', () => {
  it('an OS without an advisory ecosystem: every OS package is not evaluated, with the release named', () => {
    const pkgs = [pkg('rpm', 'bash', '5.2.15-1.amzn2023.0.2'), pkg('rpm', 'glibc', '2.34-52.amzn2023')];
    const r = matchSbom(sbom(pkgs, os('amzn', '2023', 'Amazon Linux 2023.5.20240805')), db);
    expect(r.findings).toEqual([]);
    expect(r.notEvaluated.map((n) => [n.package.name, n.reason, n.group])).toEqual([
      ['bash', 'no-advisory-ecosystem', 'no advisory ecosystem for amzn 2023 (Amazon Linux)'],
      ['glibc', 'no-advisory-ecosystem', 'no advisory ecosystem for amzn 2023 (Amazon Linux)'],
    ]);
    expect(r.stats).toMatchObject({ packagesMatched: 0, packagesSkipped: 2 });
  });

  it('OS packages on an unrecognised system are not evaluated', () => {
    const r = matchSbom(sbom([pkg('deb', 'bash', '5.2-1')]), db);
    expect(r.notEvaluated.map((n) => n.reason)).toEqual(['unknown-os']);
  });

  it('an ecosystem the database holds nothing for is "no advisory data", not "no vulnerabilities"', () => {
    const r = matchSbom(sbom([pkg('apk', 'musl', '1.2.5-r0')], os('alpine', '3.20.3')), db);
    expect(r.notEvaluated.map((n) => [n.reason, n.detail])).toEqual([
      ['no-advisory-data', 'no advisory data for Alpine:v3.20 in the database'],
    ]);
  });

  it('Debian testing/unstable is matched against the release being prepared, deliberately', () => {
    const zlib = pkg('deb', 'zlib1g', '1:1.3.dfsg-3', { sourceName: 'zlib' });
    const r = matchSbom(sbom([zlib], os('debian', undefined, 'Debian GNU/Linux trixie/sid', 'trixie')), db);
    expect(r.notEvaluated).toEqual([]);
    expect(r.findings.map((f) => f.vulnerabilityId)).toEqual(['CVE-2024-1000']);
    expect(r.findings[0]!.matches[0]!.reason).toMatch(
      /testing\/unstable \(trixie\) matched against Debian 13/,
    );
  });

  it('a garbage installed version is not evaluated (never "not affected")', () => {
    const r = matchSbom(sbom([pkg('deb', 'bash', '5.2:garbage:~~')], os('debian', '12')), db);
    expect(r.findings).toEqual([]);
    expect(r.notEvaluated).toHaveLength(1);
    expect(r.notEvaluated[0]).toMatchObject({
      reason: 'unparseable-version',
      group: 'unparseable installed version',
    });
    expect(r.notEvaluated[0]!.detail).toContain('is not a valid dpkg version');
  });

  it('an unparseable range event names the advisory; the other advisories still match', () => {
    const r = matchSbom(sbom([pkg('deb', 'bash', '5.2.15-2')], os('debian', '12')), db);
    expect(r.findings.map((f) => f.vulnerabilityId)).toEqual(['CVE-2024-2000']);
    expect(r.notEvaluated).toHaveLength(1);
    expect(r.notEvaluated[0]).toMatchObject({
      reason: 'unparseable-range',
      records: ['DEBIAN-CVE-2024-3000'],
    });
    expect(r.notEvaluated[0]!.detail).toMatch(
      /^advisory DEBIAN-CVE-2024-3000: range event fixed "not a version!"/,
    );
  });

  it('language packages without a version or a Maven group are not evaluated, with why', () => {
    const r = matchSbom(
      sbom([
        pkg('golang', 'example.com/app', '(devel)'),
        pkg('maven', 'lib', '1.0'),
        pkg('npm', 'left-pad', '1.1.0'),
      ]),
      db,
    );
    expect(r.findings.map((f) => f.package.name)).toEqual(['left-pad']);
    expect(r.notEvaluated.map((n) => [n.package.name, n.reason])).toEqual([
      ['example.com/app', 'no-version'],
      ['lib', 'no-package-name'],
    ]);
  });

  it('a runtime installed by the OS package manager is evaluated through its OS package', () => {
    const owner = pkg('deb', 'python3.11-minimal', '3.11.2-6+deb12u4', { sourceName: 'python3.11' });
    const runtime = { ...pkg('binary', 'python', '3.11.2'), foundBy: 'runtime-python' };
    const s: Sbom = {
      ...sbom([owner, runtime], os('debian', '12')),
      relationships: [{ from: owner.id, to: runtime.id, type: 'ownership-by-file-overlap' }],
    };
    const r = matchSbom(s, db);
    expect(r.notEvaluated).toEqual([]);
    // The OS package is matched; the runtime it owns is left to it (counted with the OS-owned packages).
    expect(r.stats.packagesMatched + r.stats.osOwnedSkipped).toBe(2);
    expect(r.stats.osOwnedSkipped).toBe(1);
    // The same runtime unpacked from a tarball has no owner: not evaluated, with why.
    expect(matchSbom(sbom([runtime]), db).notEvaluated.map((n) => n.reason)).toEqual(['no-advisory-source']);
  });

  it('a bug inside version comparison propagates instead of meaning "not affected"', () => {
    // Fault injection: the dpkg scheme's compare fails the way a programming error would.
    const dpkg = getScheme('dpkg');
    const spy = vi.spyOn(dpkg, 'compare').mockImplementation(() => {
      throw new TypeError('cannot read properties of undefined');
    });
    try {
      expect(() => matchSbom(sbom([pkg('deb', 'bash', '5.2.15-2')], os('debian', '12')), db)).toThrow(
        TypeError,
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('Red Hat product streams', () => {
  const ruby = (version: string) => pkg('rpm', 'ruby', version);

  it('an el8 system takes only enterprise_linux:8 records and fixes', () => {
    const fixed = matchSbom(sbom([ruby('2.5.9-111.module+el8.9.0+19193+435404ae')], os('rhel', '8.9')), db);
    // Without the stream filter this is "affected, fixed in 3.0.7-163.el9": a false positive.
    expect(fixed.findings).toEqual([]);
    const old = matchSbom(sbom([ruby('2.5.9-110.module+el8.6.0+15956+aa803430')], os('rhel', '8.9')), db);
    expect(old.findings).toHaveLength(1);
    expect(old.findings[0]!.fixedVersion).toBe('0:2.5.9-111.module+el8.9.0+19193+435404ae');
    expect(old.findings[0]!.fixedVersions).toEqual(['0:2.5.9-111.module+el8.9.0+19193+435404ae']);
    expect(old.findings[0]!.matches[0]!.reason).toContain('enterprise_linux:8');
  });

  it('an el9 system gets the main stream fix, not the EUS or a layered product one', () => {
    const r = matchSbom(sbom([ruby('3.0.4-161.el9_2.1')], os('rhel', '9.4')), db);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.fixedVersion).toBe('0:3.0.7-163.el9');
    expect(r.findings[0]!.fixedVersions).toEqual(['0:3.0.7-163.el9']);
  });

  it("a package of a module stream takes only that stream's entries (PURL rpmmod)", () => {
    const nodejs = (version: string, label: string) =>
      pkg('rpm', 'nodejs', version, { metadata: { modularityLabel: label } });
    const fixed18 = nodejs(
      '1:18.19.0-1.module+el8.9.0+21001+7ed1d8f3',
      'nodejs:18:8090020240110131225:a75119d5',
    );
    // Without the module filter: 18.19.0 < the nodejs:20 fix, "affected, fixed in 20.11.0".
    expect(matchSbom(sbom([fixed18], os('rhel', '8.9')), db).findings).toEqual([]);
    const old20 = nodejs(
      '1:20.9.0-1.module+el8.9.0+20473+c4e3d824',
      'nodejs:20:8090020231019152822:a75119d5',
    );
    const r = matchSbom(sbom([old20], os('rhel', '8.9')), db);
    expect(r.findings.map((f) => f.fixedVersion)).toEqual(['1:20.11.0-1.module+el8.9.0+21012+3d7d8b3c']);
    expect(r.findings[0]!.fixedVersions).toEqual(['1:20.11.0-1.module+el8.9.0+21012+3d7d8b3c']);
    // A package from no module never takes a module stream's fix.
    expect(
      matchSbom(sbom([pkg('rpm', 'nodejs', '1:10.24.0-1.el8')], os('rhel', '8.9')), db).findings,
    ).toEqual([]);
  });

  it('without a release, the package dist tag picks the stream', () => {
    const r = matchSbom(sbom([ruby('2.5.9-111.module+el8.9.0+19193+435404ae')], os('rhel')), db);
    expect(r.findings).toEqual([]);
    expect(r.notEvaluated).toEqual([]);
  });
});

const haveShared = existsSync(osvDir('AlmaLinux:8')) && existsSync(osvDir('Go'));

describe.skipIf(!haveShared && !process.env.CI)('real advisories (shared corpus)', () => {
  let realDir: string;
  let real: VulnDatabase;
  beforeAll(async () => {
    realDir = mkdtempSync(join(tmpdir(), 'bulwark-not-evaluated-real-'));
    const osv = join(realDir, 'osv');
    mkdirSync(osv);
    // The record exists under both releases with an el8 and an el9 fix for java-17-openjdk.
    for (const rel of ['AlmaLinux:8', 'AlmaLinux:9'])
      copyFileSync(
        join(osvDir(rel), 'ALSA-2024:1825.json'),
        join(osv, `${rel.replace(':', '_')}-ALSA-2024_1825.json`),
      );
    // Every Go advisory of the standard library.
    const go = osvDir('Go');
    for (const f of readdirSync(go).filter((n) => n.endsWith('.json')))
      if (/"name":\s*"stdlib"/.test(readFileSync(join(go, f), 'utf8')))
        copyFileSync(join(go, f), join(osv, f));
    await importInputs([osv], { dbPath: join(realDir, 'db.sqlite') });
    real = openDatabase(join(realDir, 'db.sqlite'));
  });
  afterAll(() => {
    real?.close();
    rmSync(realDir, { recursive: true, force: true });
  });

  it('AlmaLinux 8 vs 9: an el8 package never takes the el9 entry or fix', () => {
    const jdk = (v: string) => pkg('rpm', 'java-17-openjdk', v);
    const fixed8 = matchSbom(sbom([jdk('1:17.0.11.0.9-2.el8')], os('almalinux', '8.9')), real);
    expect(fixed8.findings.filter((f) => f.matches.some((m) => m.recordId === 'ALSA-2024:1825'))).toEqual([]);
    const old8 = matchSbom(sbom([jdk('1:17.0.10.0.7-2.el8')], os('almalinux', '8.9')), real);
    const f8 = old8.findings.find((f) => f.matches.some((m) => m.recordId === 'ALSA-2024:1825'))!;
    expect(f8.fixedVersion).toBe('1:17.0.11.0.9-2.el8');
    expect(f8.fixedVersions).toEqual(['1:17.0.11.0.9-2.el8']);
    const old9 = matchSbom(sbom([jdk('1:17.0.10.0.7-2.el9')], os('almalinux', '9.3')), real);
    const f9 = old9.findings.find((f) => f.matches.some((m) => m.recordId === 'ALSA-2024:1825'))!;
    expect(f9.fixedVersions).toEqual(['1:17.0.11.0.9-2.el9']);
  });

  it('a Go toolchain from the official tarball is matched against the Go stdlib advisories', () => {
    const go = { ...pkg('binary', 'go', '1.22.3'), foundBy: 'runtime-go', purl: 'pkg:generic/go@1.22.3' };
    const r = matchSbom(sbom([go]), real);
    expect(r.notEvaluated).toEqual([]);
    const netip = r.findings.find((f) => f.aliases.includes('GO-2024-2887'))!;
    expect(netip.vulnerabilityId).toBe('CVE-2024-24790');
    expect(netip.fixedVersion).toBe('1.22.4');
    // A fixed toolchain has none of them.
    const newer = matchSbom(sbom([{ ...go, version: '1.22.4', id: 'go-new' }]), real);
    expect(newer.findings.some((f) => f.aliases.includes('GO-2024-2887'))).toBe(false);
  });

  it('node, CPython and OpenJDK runtimes are counted as not evaluated, with the reason', () => {
    const runtimes = [
      { ...pkg('binary', 'node', '20.11.1'), foundBy: 'runtime-node' },
      { ...pkg('binary', 'python', '3.12.1'), foundBy: 'runtime-python' },
      { ...pkg('binary', 'openjdk', '17.0.2'), foundBy: 'runtime-java' },
    ];
    const r = matchSbom(sbom(runtimes), real);
    expect(r.notEvaluated.map((n) => [n.package.name, n.reason])).toEqual([
      ['node', 'no-advisory-source'],
      ['openjdk', 'no-advisory-source'],
      ['python', 'no-advisory-source'],
    ]);
    expect(r.notEvaluated[0]!.detail).toContain('Node.js');
  });
});
