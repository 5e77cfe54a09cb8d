/**
 * Ownership by file overlap through the real core on a small root filesystem written by the test:
 * a merged /usr (`/lib` → `usr/lib`) where dpkg lists the pre-merge path of a file that the walk
 * finds under /usr, and a package that lists only a symlink, which must not make it own the target.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { tempDir } from '../source/test-support/build.js';
import { catalogSource } from './run.js';
import type { Sbom } from '../model/sbom.js';

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function stanza(name: string): string {
  return [
    `Package: ${name}`,
    'Status: install ok installed',
    'Architecture: all',
    'Version: 1.0-1',
    'Maintainer: Test <test@example.org>',
    'Description: test package',
    '',
  ].join('\n');
}

const metadata = (name: string, version: string) =>
  `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;

function ownersOf(sbom: Sbom, name: string): string[] {
  const pkg = sbom.packages.find((p) => p.name === name && p.type === 'pypi');
  expect(pkg, name).toBeDefined();
  return sbom.relationships
    .filter((r) => r.type === 'ownership-by-file-overlap' && r.to === pkg!.id)
    .map((r) => sbom.packages.find((p) => p.id === r.from)!.name)
    .sort();
}

describe('ownership-by-file-overlap', () => {
  const root = tempDir();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Merged /usr: the real files live under /usr/lib, /lib is a relative symlink to it.
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  const site = 'usr/lib/python3/dist-packages';
  write(root, `${site}/merged-1.0.dist-info/METADATA`, metadata('merged', '1.0'));
  write(root, `${site}/direct-2.0.dist-info/METADATA`, metadata('direct', '2.0'));
  // An unowned distribution reachable through a symlinked METADATA that another package lists.
  write(root, 'opt/vendor/linked-3.0.dist-info/METADATA', metadata('linked', '3.0'));
  mkdirSync(join(root, `${site}/linked-3.0.dist-info`), { recursive: true });
  symlinkSync(
    '/opt/vendor/linked-3.0.dist-info/METADATA',
    join(root, `${site}/linked-3.0.dist-info/METADATA`),
  );

  write(
    root,
    'var/lib/dpkg/status',
    [stanza('python3-merged'), stanza('python3-direct'), stanza('linker')].join('\n'),
  );
  write(
    root,
    'var/lib/dpkg/info/python3-merged.list',
    [
      '/.',
      '/lib',
      '/lib/python3',
      '/lib/python3/dist-packages',
      '/lib/python3/dist-packages/merged-1.0.dist-info',
      '/lib/python3/dist-packages/merged-1.0.dist-info/METADATA',
      '',
    ].join('\n'),
  );
  write(
    root,
    'var/lib/dpkg/info/python3-direct.list',
    `/usr/lib/python3/dist-packages/direct-2.0.dist-info/METADATA\n`,
  );
  write(
    root,
    'var/lib/dpkg/info/linker.list',
    `/usr/lib/python3/dist-packages/linked-3.0.dist-info/METADATA\n`,
  );

  it('links a file dpkg lists under a symlinked folder (/lib → /usr/lib) to the package found at the real path', async () => {
    const { sbom } = await catalogSource(await openSource(`fs://${root}`, { gitignore: false }));
    const merged = sbom.packages.find((p) => p.name === 'merged');
    expect(merged?.locations[0]?.path).toBe(`/${site}/merged-1.0.dist-info/METADATA`);
    expect(sbom.packages.find((p) => p.name === 'python3-merged')?.files).toEqual([
      '/lib/python3/dist-packages/merged-1.0.dist-info/METADATA',
    ]);
    expect(ownersOf(sbom, 'merged')).toEqual(['python3-merged']);
    expect(ownersOf(sbom, 'direct')).toEqual(['python3-direct']);
  });

  it('does not make the owner of a symlink the owner of its target', async () => {
    const { sbom } = await catalogSource(await openSource(`fs://${root}`, { gitignore: false }));
    expect(sbom.packages.find((p) => p.name === 'linked')?.locations[0]?.path).toBe(
      '/opt/vendor/linked-3.0.dist-info/METADATA',
    );
    expect(ownersOf(sbom, 'linked')).toEqual([]);
  });
});
