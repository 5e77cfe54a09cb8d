/**
 * Lock files inside installed packages, through the real core on folders written by the test: a
 * folder scan whose root is a `node_modules` (or a package in one), a Python distribution folder, and
 * the OS-owned language folders of an image. The project's own lock files next to them still count.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../source/open.js';
import { tempDir } from '../../source/test-support/build.js';
import { catalogSource } from '../run.js';
import type { Sbom } from '../../model/sbom.js';
import { LOCKFILE_CATALOGERS } from './index.js';

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

const pkgJson = (name: string, version: string) => JSON.stringify({ name, version });
const packageLock = (dep: string) =>
  JSON.stringify({ lockfileVersion: 3, packages: { '': {}, [`node_modules/${dep}`]: { version: '1.0.0' } } });
const yarnLock = (dep: string) => `${dep}@^1:\n  version "1.0.0"\n`;

async function sbomOf(dir: string): Promise<Sbom> {
  return (await catalogSource(await openSource(`fs://${dir}`, { gitignore: false }))).sbom;
}

/** `name@version from <lock file>` of every package a lock-file cataloger reported. */
function locked(sbom: Sbom): string[] {
  const ids = new Set(LOCKFILE_CATALOGERS.map((c) => c.id));
  return sbom.packages
    .filter((p) => ids.has(p.foundBy))
    .map((p) => `${p.name}@${p.version} from ${p.locations[0]!.path}`)
    .sort();
}

describe('lock files inside installed packages, folder scans', () => {
  const tmp = tempDir();
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('scanning a node_modules folder itself ignores the lock files its packages ship', async () => {
    const nm = join(tmp, 'app', 'node_modules');
    write(nm, 'uri-js/package.json', pkgJson('uri-js', '4.4.1'));
    write(nm, 'uri-js/yarn.lock', yarnLock('from-uri-js'));
    write(nm, '@scope/tool/package.json', pkgJson('@scope/tool', '2.0.0'));
    write(nm, '@scope/tool/package-lock.json', packageLock('from-scoped-tool'));
    write(nm, 'uri-js/fixtures/inner/package-lock.json', packageLock('from-fixture'));
    const sbom = await sbomOf(nm);
    expect(locked(sbom)).toEqual([]);
    // The installed packages themselves are still there.
    expect(
      sbom.packages
        .filter((p) => p.type === 'npm')
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
    ).toEqual(['@scope/tool@2.0.0', 'uri-js@4.4.1']);
  });

  it('scanning one installed npm package ignores its own lock file', async () => {
    const pkg = join(tmp, 'other', 'node_modules', 'left-pad');
    write(pkg, 'package.json', pkgJson('left-pad', '1.3.0'));
    write(pkg, 'package-lock.json', packageLock('from-left-pad'));
    expect(locked(await sbomOf(pkg))).toEqual([]);
  });

  it('ignores lock files inside a built Python distribution (PKG-INFO, EGG-INFO, .egg)', async () => {
    const deps = join(tmp, 'deps');
    write(deps, 'sdistpkg/PKG-INFO', 'Metadata-Version: 2.1\nName: sdistpkg\nVersion: 1.0\n');
    write(deps, 'sdistpkg/requirements.txt', 'from-sdist==1.0.0\n');
    write(deps, 'eggpkg-2.0-py3.11.egg/EGG-INFO/PKG-INFO', 'Name: eggpkg\nVersion: 2.0\n');
    write(deps, 'eggpkg-2.0-py3.11.egg/docs/requirements.txt', 'from-egg==1.0.0\n');
    write(deps, 'requirements.txt', 'app-dep==3.0.0\n');
    expect(locked(await sbomOf(deps))).toEqual(['app-dep@3.0.0 from /requirements.txt']);
  });

  it("keeps a project's own lock files, at the root and in sub-projects, and npm packages outside node_modules", async () => {
    const app = join(tmp, 'project');
    write(app, 'package.json', JSON.stringify({ name: 'project', version: '1.0.0', private: true }));
    write(app, 'package-lock.json', packageLock('root-dep'));
    write(app, 'services/web/package.json', pkgJson('web', '0.1.0'));
    write(app, 'services/web/yarn.lock', yarnLock('web-dep'));
    write(app, 'services/api/requirements.txt', 'api-dep==2.0.0\n');
    expect(locked(await sbomOf(app))).toEqual([
      'api-dep@2.0.0 from /services/api/requirements.txt',
      'root-dep@1.0.0 from /package-lock.json',
      'web-dep@1.0.0 from /services/web/yarn.lock',
    ]);
  });
});

describe('lock files in OS-owned language folders of an image', () => {
  it.each([
    ['/usr/share/nodejs/cookie/package-lock.json', false],
    ['/usr/lib/nodejs/ws/yarn.lock', false],
    ['/usr/share/rubygems-integration/all/gems/rack-2.2.22/Gemfile.lock', false],
    ['/usr/lib/ruby/vendor_ruby/rack/Gemfile.lock', false],
    ['/usr/lib/python3/dist-packages/requests/requirements.txt', false],
    ['/usr/lib/python3.11/site-packages/urllib3/requirements.txt', false],
    ['/usr/share/javascript/jquery/package-lock.json', false],
    ['/srv/nodejs/package-lock.json', true],
    ['/usr/src/app/package-lock.json', true],
  ])('%s matched: %s', (path, expected) => {
    expect(LOCKFILE_CATALOGERS.some((c) => c.match(path))).toBe(expected);
  });
});
