import { describe, expect, it } from 'vitest';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import type { CatalogContext, Distro, Package } from '../types.js';
import { dpkgCataloger } from './cataloger.js';
import { copyrightLicenses } from './copyright.js';
import { parseStatus } from './status.js';

const DEBIAN: Distro = { id: 'debian', versionId: '12', idLike: [] };
const ctx: CatalogContext = { source: { kind: 'directory', target: 'root', path: 'root' }, distro: DEBIAN };

const BASE = `Package: base-files
Status: install ok installed
Priority: required
Essential: yes
Installed-Size: 340
Maintainer: Base Team <base@example.org>
Architecture: amd64
Version: 12.4
Description: Debian base system miscellaneous files
 This package holds the basic layout.
`;

const LIBWIDGET = `Package: libwidget2
Status: install ok installed
Installed-Size: 12
Maintainer: Widget Maintainers <widget@example.org>
Architecture: amd64
Multi-Arch: same
Source: widget (2.0.1-3)
Version: 1:2.0.1-3+b2
Provides: libwidget-abi-2
Depends: libc6 (>= 2.34),
 zlib1g (>= 1:1.2.0)
Pre-Depends: libc6
Description: widget drawing library
 Longer text.
`;

const TOOL = `Package: wtool
Status: install ok installed
Architecture: all
Source: widget
Version: 2.0.1-3
Description: widget command line tool
`;

const REMOVED = `Package: oldthing
Status: deinstall ok config-files
Architecture: amd64
Version: 0.9-1
`;

const NO_VERSION = `Package: broken
Status: install ok installed
Architecture: amd64
`;

const GARBAGE = `Package: garbled
this line is not a field
Version: 1.0
`;

const status = (...paragraphs: string[]): string => paragraphs.join('\n');

const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: widget

Files: *
Copyright: 2020 Someone
License: GPL-2+ or MIT
 Permission text follows here.

Files: debian/*
Copyright: 2021 Someone Else
License: LGPL-2.1+

License: MIT
 The full MIT text would be here; this paragraph only defines it.
`;

async function run(
  files: Parameters<typeof memoryView>[0],
): Promise<{ pkgs: Map<string, Package>; unknowns: string[] }> {
  const view = memoryView(files, dpkgCataloger.match);
  const res = await dpkgCataloger.catalog(view, ctx);
  return {
    pkgs: new Map(res.packages.map((p) => [p.name, p])),
    unknowns: (res.unknowns ?? []).map((u) => `${u.path}: ${u.reason}`),
  };
}

describe('parseStatus', () => {
  it('keeps only installed packages and reports malformed paragraphs', () => {
    const r = parseStatus(status(BASE, REMOVED, NO_VERSION, GARBAGE, TOOL));
    expect(r.entries.map((e) => e.name)).toEqual(['base-files', 'wtool']);
    expect(r.problems).toEqual([
      expect.stringMatching(/^paragraph at line 17: missing Version field$/),
      expect.stringMatching(/^paragraph at line 21: line 22: not a "Field: value" line$/),
    ]);
  });

  it('reads every field', () => {
    const [e] = parseStatus(LIBWIDGET).entries;
    expect(e).toEqual({
      name: 'libwidget2',
      version: '1:2.0.1-3+b2',
      arch: 'amd64',
      sourceName: 'widget',
      sourceVersion: '2.0.1-3',
      maintainer: 'Widget Maintainers <widget@example.org>',
      installedSize: 12 * 1024,
      description: 'widget drawing library',
      provides: ['libwidget-abi-2'],
      depends: ['libc6 (>= 2.34)', 'zlib1g (>= 1:1.2.0)'],
      preDepends: ['libc6'],
    });
  });

  it('survives binary garbage', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('utf8');
    const r = parseStatus(junk);
    expect(r.entries).toEqual([]);
  });
});

describe('copyrightLicenses', () => {
  it('collects the License short names of Files paragraphs', () => {
    expect(copyrightLicenses(DEP5)).toEqual(['GPL-2+', 'MIT', 'LGPL-2.1+']);
  });

  it('accepts the draft DEP-5 format URL', () => {
    expect(
      copyrightLicenses('Format: http://dep.debian.net/deps/dep5\n\nFiles: *\nLicense: BSD-3-clause\n'),
    ).toEqual(['BSD-3-clause']);
  });

  it('ignores free-form copyright files', () => {
    expect(copyrightLicenses('This is free software.\nLicense: GPL\n')).toEqual([]);
  });
});

describe('dpkg-db cataloger', () => {
  it('matches the database, file lists and copyright files only', () => {
    expect(dpkgCataloger.match('/var/lib/dpkg/status')).toBe(true);
    expect(dpkgCataloger.match('/var/lib/dpkg/status-old')).toBe(false);
    expect(dpkgCataloger.match('/var/lib/dpkg/status.d/libc6')).toBe(true);
    expect(dpkgCataloger.match('/var/lib/dpkg/info/libc6:amd64.list')).toBe(true);
    expect(dpkgCataloger.match('/var/lib/dpkg/info/libc6:amd64.md5sums')).toBe(false);
    expect(dpkgCataloger.match('/usr/share/doc/libc6/copyright')).toBe(true);
    expect(dpkgCataloger.match('/usr/share/doc/libc6/changelog.gz')).toBe(false);
  });

  it('builds packages with PURLs, source, files and licences', async () => {
    const { pkgs, unknowns } = await run({
      '/var/lib/dpkg/status': status(BASE, LIBWIDGET, TOOL, REMOVED, NO_VERSION),
      '/var/lib/dpkg/info/libwidget2:amd64.list':
        '/.\n/usr\n/usr/lib\n/usr/lib/libwidget.so.2\n/usr/lib/libwidget.so.2.0.1\n/usr/share\n/usr/share/doc\n/usr/share/doc/libwidget2\n/usr/share/doc/libwidget2/copyright\n',
      '/var/lib/dpkg/info/wtool.list': '/.\n/usr/bin\n/usr/bin/wtool\n/usr/bin/wtool-extra\n',
      '/usr/share/doc/libwidget2/copyright': DEP5,
      '/usr/share/doc/base-files/copyright': 'Free-form text.\n',
    });
    expect([...pkgs.keys()].sort()).toEqual(['base-files', 'libwidget2', 'wtool']);
    const lib = pkgs.get('libwidget2')!;
    expect(lib).toMatchObject({
      id: '',
      type: 'deb',
      version: '1:2.0.1-3+b2',
      arch: 'amd64',
      sourceName: 'widget',
      sourceVersion: '2.0.1-3',
      foundBy: 'dpkg-db',
      purl: 'pkg:deb/debian/libwidget2@1:2.0.1-3+b2?arch=amd64&distro=debian-12&upstream=widget%402.0.1-3',
      licenses: ['GPL-2.0-or-later', 'LGPL-2.1-or-later', 'MIT'],
      files: [
        '/usr/lib/libwidget.so.2',
        '/usr/lib/libwidget.so.2.0.1',
        '/usr/share/doc/libwidget2/copyright',
      ],
      locations: [{ path: '/var/lib/dpkg/status' }],
      metadata: {
        maintainer: 'Widget Maintainers <widget@example.org>',
        installedSize: 12288,
        provides: ['libwidget-abi-2'],
      },
    });
    expect(pkgs.get('wtool')).toMatchObject({
      purl: 'pkg:deb/debian/wtool@2.0.1-3?arch=all&distro=debian-12&upstream=widget',
      sourceVersion: '2.0.1-3',
      files: ['/usr/bin/wtool', '/usr/bin/wtool-extra'],
    });
    expect(pkgs.get('base-files')).toMatchObject({
      purl: 'pkg:deb/debian/base-files@12.4?arch=amd64&distro=debian-12',
      licenses: [],
      files: [],
      sourceName: 'base-files',
    });
    expect(unknowns).toEqual([
      expect.stringMatching(/^\/var\/lib\/dpkg\/status: paragraph at line \d+: missing Version field$/),
    ]);
  });

  it('attributes each package to the layer that installed its current version', async () => {
    const v1 = status(BASE, LIBWIDGET.replace('1:2.0.1-3+b2', '1:2.0.0-1'));
    const v2 = status(BASE, LIBWIDGET);
    const v3 = status(BASE, LIBWIDGET, TOOL);
    const { pkgs } = await run({
      '/var/lib/dpkg/status': {
        content: v3,
        layer: testLayer(3),
        history: [
          { layer: testLayer(0), content: Buffer.from(v1) },
          { layer: testLayer(1), content: Buffer.from(v2) },
          { layer: testLayer(2), content: Buffer.from(v2) },
        ],
      },
    });
    expect(pkgs.get('base-files')!.layer?.index).toBe(0);
    expect(pkgs.get('libwidget2')!.layer?.index).toBe(1);
    expect(pkgs.get('libwidget2')!.locations).toEqual([
      { path: '/var/lib/dpkg/status', layer: testLayer(1) },
    ]);
    expect(pkgs.get('wtool')!.layer?.index).toBe(3);
  });

  it('reads distroless status.d files and their md5sums', async () => {
    const { pkgs, unknowns } = await run({
      '/var/lib/dpkg/status.d/libwidget2': {
        content: LIBWIDGET.replace('Status: install ok installed\n', ''),
        layer: testLayer(4),
      },
      '/var/lib/dpkg/status.d/libwidget2.md5sums':
        '0123456789abcdef0123456789abcdef  usr/lib/libwidget.so.2.0.1\nfedcba9876543210fedcba9876543210  usr/share/doc/libwidget2/copyright\nnot a line\n',
      '/var/lib/dpkg/status.d/wtool': TOOL.replace('Status: install ok installed\n', ''),
    });
    expect([...pkgs.keys()].sort()).toEqual(['libwidget2', 'wtool']);
    expect(pkgs.get('libwidget2')).toMatchObject({
      files: ['/usr/lib/libwidget.so.2.0.1', '/usr/share/doc/libwidget2/copyright'],
      locations: [{ path: '/var/lib/dpkg/status.d/libwidget2', layer: testLayer(4) }],
      layer: testLayer(4),
    });
    expect(pkgs.get('wtool')!.files).toEqual([]);
    expect(unknowns).toEqual([]);
  });

  it('reports a garbage database and keeps going', async () => {
    const { pkgs, unknowns } = await run({
      '/var/lib/dpkg/status': status(GARBAGE, BASE),
    });
    expect([...pkgs.keys()]).toEqual(['base-files']);
    expect(unknowns).toEqual([
      '/var/lib/dpkg/status: paragraph at line 1: line 2: not a "Field: value" line',
    ]);
  });

  it('caps the number of problems reported for one file', async () => {
    const { unknowns } = await run({
      '/var/lib/dpkg/status': Array.from({ length: 50 }, () => NO_VERSION).join('\n'),
    });
    expect(unknowns).toHaveLength(11);
    expect(unknowns[10]).toBe('/var/lib/dpkg/status: 40 more malformed paragraphs');
  });
});
