/**
 * Language packages that an OS package owns, end to end on root filesystems written by the test — a
 * Debian one (dpkg status and `info/*.list`), a Rocky Linux one (a real rpm database made with rpmbuild
 * and `rpm --justdb`) and an Alpine one (`/lib/apk/db/installed` with `R:` file lines) — cataloged by
 * the real core and matched against advisories imported into a real database. By default the owned
 * Python/npm packages get no PyPI/npm finding (their OS package carries the distribution's fixes) while
 * the same packages installed by pip/npm outside any OS package do; `includeOsOwned` matches them too,
 * each finding naming its owner.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSource } from '../catalog/run.js';
import { importInputs } from '../db/import.js';
import { openDatabase, type VulnDatabase } from '../db/store.js';
import type { Sbom } from '../model/sbom.js';
import { openSource } from '../source/open.js';
import { tempDir } from '../source/test-support/build.js';
import { missingRpmTools } from '../catalog/rpm/test-support/rpm-fixtures.js';
import { matchSbom } from './match.js';
import { osOwners } from './os-owned.js';

function write(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

const pkgInfo = (name: string, version: string) =>
  `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
const record = (id: string, ecosystem: string, name: string, fixed: string) => ({
  schema_version: '1.6.0',
  id,
  modified: '2024-01-01T00:00:00Z',
  published: '2023-06-01T00:00:00Z',
  summary: `${name} test advisory`,
  affected: [
    {
      package: { ecosystem, name },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
    },
  ],
});

/** Every language ecosystem of the fixtures, each advisory affecting every version below a far fix. */
const RECORDS = [
  record('GHSA-test-urll-ib3x', 'PyPI', 'urllib3', '99.0'),
  record('GHSA-test-cook-iexx', 'npm', 'cookie', '99.0.0'),
  record('GHSA-test-rack-xxxx', 'RubyGems', 'rack', '99.0'),
];

function debianRoot(root: string): void {
  write(root, 'etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  const stanza = (name: string, version: string, source: string) =>
    `Package: ${name}\nStatus: install ok installed\nArchitecture: all\nSource: ${source}\nVersion: ${version}\nMaintainer: T <t@example.org>\nDescription: test\n`;
  write(
    root,
    'var/lib/dpkg/status',
    [
      stanza('python3-urllib3', '1.26.12-1+deb12u1', 'python-urllib3'),
      stanza('node-cookie', '0.5.0-2', 'node-cookie'),
      stanza('ruby-rack', '2.2.22-0+deb12u1', 'ruby-rack'),
    ].join('\n'),
  );
  const files: Record<string, [string, string]> = {
    'python3-urllib3': [
      '/usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO',
      pkgInfo('urllib3', '1.26.12'),
    ],
    'node-cookie': [
      '/usr/share/nodejs/cookie/package.json',
      JSON.stringify({ name: 'cookie', version: '0.5.0' }),
    ],
    'ruby-rack': [
      '/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec',
      'Gem::Specification.new do |s|\n  s.name = "rack"\n  s.version = "2.2.22"\nend\n',
    ],
  };
  for (const [pkg, [path, content]] of Object.entries(files)) {
    write(root, path.slice(1), content);
    // dpkg lists every folder too; only the file may make the package an owner.
    const parts = path.split('/').slice(1);
    const dirs = parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
    write(root, `var/lib/dpkg/info/${pkg}.list`, ['/.', ...dirs, path, ''].join('\n'));
  }
  // The same libraries installed by pip and npm, owned by nothing: matched by their own version.
  write(
    root,
    'usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA',
    pkgInfo('urllib3', '1.26.12'),
  );
  write(
    root,
    'srv/app/node_modules/cookie/package.json',
    JSON.stringify({ name: 'cookie', version: '0.5.0' }),
  );
}

const URLLIB3_SPEC = `Name: python3-urllib3
Version: 1.26.5
Release: 3.el9
Summary: Python HTTP library
License: MIT
BuildArch: noarch
%description
Python HTTP library.
%install
mkdir -p %{buildroot}/usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info
printf 'Metadata-Version: 2.1\\nName: urllib3\\nVersion: 1.26.5\\n' > %{buildroot}/usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info/PKG-INFO
%files
/usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info
`;

function rockyRoot(root: string, work: string): void {
  write(root, 'etc/os-release', 'ID="rocky"\nVERSION_ID="9.4"\nID_LIKE="rhel centos fedora"\n');
  mkdirSync(join(work, 'SPECS'), { recursive: true });
  writeFileSync(join(work, 'SPECS', 'u.spec'), URLLIB3_SPEC);
  execFileSync('rpmbuild', ['--define', `_topdir ${work}`, '-bb', join(work, 'SPECS', 'u.spec')], {
    stdio: 'pipe',
  });
  const db = join(work, 'db');
  mkdirSync(db);
  execFileSync(
    'rpm',
    [
      '--dbpath',
      db,
      '--define',
      '_db_backend sqlite',
      '--justdb',
      '--nodeps',
      '--noscripts',
      '-i',
      join(work, 'RPMS', 'noarch', 'python3-urllib3-1.26.5-3.el9.noarch.rpm'),
    ],
    { stdio: 'pipe' },
  );
  write(root, 'var/lib/rpm/rpmdb.sqlite', readFileSync(join(db, 'rpmdb.sqlite')));
  write(
    root,
    'usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info/PKG-INFO',
    pkgInfo('urllib3', '1.26.5'),
  );
  write(
    root,
    'usr/local/lib/python3.9/site-packages/urllib3-1.26.5.dist-info/METADATA',
    pkgInfo('urllib3', '1.26.5'),
  );
}

function alpineRoot(root: string): void {
  write(root, 'etc/os-release', 'ID=alpine\nVERSION_ID=3.20.3\n');
  write(
    root,
    'lib/apk/db/installed',
    [
      'C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      'P:py3-urllib3',
      'V:1.26.18-r0',
      'A:noarch',
      'o:py3-urllib3',
      'L:MIT',
      'T:HTTP library',
      'F:usr/lib/python3.12/site-packages/urllib3-1.26.18.dist-info',
      'R:METADATA',
      'F:usr/lib/python3.12/site-packages/urllib3',
      'R:__init__.py',
      '',
      '',
    ].join('\n'),
  );
  write(
    root,
    'usr/lib/python3.12/site-packages/urllib3-1.26.18.dist-info/METADATA',
    pkgInfo('urllib3', '1.26.18'),
  );
  write(root, 'usr/lib/python3.12/site-packages/urllib3/__init__.py', '');
  write(root, 'app/node_modules/cookie/package.json', JSON.stringify({ name: 'cookie', version: '0.5.0' }));
}

/** `type name@version at path [owned by X]` for every language package. */
function languagePackages(sbom: Sbom): string[] {
  const owners = osOwners(sbom);
  return sbom.packages
    .filter((p) => !['deb', 'rpm', 'apk'].includes(p.type))
    .map((p) => {
      const o = owners.get(p.id);
      return `${p.type} ${p.name}@${p.version} at ${p.locations[0]!.path}${o ? ` owned by ${o.type} ${o.name}` : ''}`;
    })
    .sort();
}

/** `name@version at path: ids [owned by X]` for every finding. */
function findingsOf(sbom: Sbom, db: VulnDatabase, includeOsOwned: boolean) {
  const { findings, stats } = matchSbom(sbom, db, { includeOsOwned });
  return {
    stats,
    rows: findings
      .map(
        (f) =>
          `${f.package.name}@${f.package.version} at ${f.package.locations[0]!.path}: ${f.vulnerabilityId}${
            f.ownedBy ? ` [OS-owned: ${f.ownedBy.type} ${f.ownedBy.name} ${f.ownedBy.version}]` : ''
          }`,
      )
      .sort(),
  };
}

const rpmMissing = missingRpmTools();
// CI sets BULWARK_REQUIRE_IMAGES=1 and installs rpm: there a missing tool fails the test instead of skipping it.
const skipRpm = rpmMissing !== undefined && process.env['BULWARK_REQUIRE_IMAGES'] !== '1';
if (skipRpm)
  console.warn(
    `\n*** SKIPPING the rpm ownership test: ${rpmMissing} is not installed (apt-get install -y rpm). ***\n`,
  );

describe('language packages owned by OS packages', () => {
  const tmp = tempDir();
  let db: VulnDatabase;

  beforeAll(async () => {
    const osv = join(tmp, 'osv');
    mkdirSync(osv);
    for (const r of RECORDS) writeFileSync(join(osv, `${r.id}.json`), JSON.stringify(r));
    await importInputs([osv], { dbPath: join(tmp, 'db.sqlite') });
    db = openDatabase(join(tmp, 'db.sqlite'));
  });
  afterAll(() => {
    db?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function sbomOf(root: string): Promise<Sbom> {
    return (await catalogSource(await openSource(`fs://${root}`, { gitignore: false }))).sbom;
  }

  it('dpkg: python3-*, node-* and ruby-* packages are linked to their owner and matched through it only', async () => {
    const root = join(tmp, 'debian');
    debianRoot(root);
    const sbom = await sbomOf(root);
    expect(languagePackages(sbom)).toEqual([
      'gem rack@2.2.22 at /usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec owned by deb ruby-rack',
      'npm cookie@0.5.0 at /srv/app/node_modules/cookie/package.json',
      'npm cookie@0.5.0 at /usr/share/nodejs/cookie/package.json owned by deb node-cookie',
      'pypi urllib3@1.26.12 at /usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO owned by deb python3-urllib3',
      'pypi urllib3@1.26.12 at /usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA',
    ]);

    const byDefault = findingsOf(sbom, db, false);
    expect(byDefault.rows).toEqual([
      'cookie@0.5.0 at /srv/app/node_modules/cookie/package.json: GHSA-test-cook-iexx',
      'urllib3@1.26.12 at /usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA: GHSA-test-urll-ib3x',
    ]);
    expect(byDefault.stats.osOwnedSkipped).toBe(3);

    const included = findingsOf(sbom, db, true);
    expect(included.rows).toEqual([
      'cookie@0.5.0 at /srv/app/node_modules/cookie/package.json: GHSA-test-cook-iexx',
      'cookie@0.5.0 at /usr/share/nodejs/cookie/package.json: GHSA-test-cook-iexx [OS-owned: deb node-cookie 0.5.0-2]',
      'rack@2.2.22 at /usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec: GHSA-test-rack-xxxx [OS-owned: deb ruby-rack 2.2.22-0+deb12u1]',
      'urllib3@1.26.12 at /usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO: GHSA-test-urll-ib3x [OS-owned: deb python3-urllib3 1.26.12-1+deb12u1]',
      'urllib3@1.26.12 at /usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA: GHSA-test-urll-ib3x',
    ]);
    expect(included.stats.osOwnedSkipped).toBe(0);
  });

  it.skipIf(skipRpm)(
    'rpm: a python3-* rpm under site-packages is linked to its owner and matched through it only',
    async () => {
      const root = join(tmp, 'rocky');
      rockyRoot(root, join(tmp, 'rpmbuild'));
      const sbom = await sbomOf(root);
      expect(languagePackages(sbom)).toEqual([
        'pypi urllib3@1.26.5 at /usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info/PKG-INFO owned by rpm python3-urllib3',
        'pypi urllib3@1.26.5 at /usr/local/lib/python3.9/site-packages/urllib3-1.26.5.dist-info/METADATA',
      ]);
      expect(findingsOf(sbom, db, false).rows).toEqual([
        'urllib3@1.26.5 at /usr/local/lib/python3.9/site-packages/urllib3-1.26.5.dist-info/METADATA: GHSA-test-urll-ib3x',
      ]);
      expect(findingsOf(sbom, db, true).rows).toEqual([
        'urllib3@1.26.5 at /usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info/PKG-INFO: GHSA-test-urll-ib3x [OS-owned: rpm python3-urllib3 1.26.5-3.el9]',
        'urllib3@1.26.5 at /usr/local/lib/python3.9/site-packages/urllib3-1.26.5.dist-info/METADATA: GHSA-test-urll-ib3x',
      ]);
    },
  );

  it('apk: a py3-* package is linked to its owner and matched through it only', async () => {
    const root = join(tmp, 'alpine');
    alpineRoot(root);
    const sbom = await sbomOf(root);
    expect(languagePackages(sbom)).toEqual([
      'npm cookie@0.5.0 at /app/node_modules/cookie/package.json',
      'pypi urllib3@1.26.18 at /usr/lib/python3.12/site-packages/urllib3-1.26.18.dist-info/METADATA owned by apk py3-urllib3',
    ]);
    expect(findingsOf(sbom, db, false).rows).toEqual([
      'cookie@0.5.0 at /app/node_modules/cookie/package.json: GHSA-test-cook-iexx',
    ]);
    expect(findingsOf(sbom, db, true).rows).toEqual([
      'cookie@0.5.0 at /app/node_modules/cookie/package.json: GHSA-test-cook-iexx',
      'urllib3@1.26.18 at /usr/lib/python3.12/site-packages/urllib3-1.26.18.dist-info/METADATA: GHSA-test-urll-ib3x [OS-owned: apk py3-urllib3 1.26.18-r0]',
    ]);
  });
});
