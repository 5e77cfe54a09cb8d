import { describe, expect, it } from 'vitest';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import type { CatalogContext, Package } from '../types.js';
import { apkCataloger, apkLicenses } from './cataloger.js';
import { parseInstalled } from './installed.js';

const ctx: CatalogContext = {
  source: { kind: 'directory', target: 'root', path: 'root' },
  distro: { id: 'alpine', versionId: '3.20.3', idLike: [] },
};

// Own fixture in the layout apk writes: C (checksum) first, then the package fields, then F/R/a/Z file lines.
const MUSL = `C:Q1abcdefghijklmnopqrstuvwxyz0123=
P:musl
V:1.2.5-r0
A:x86_64
S:411234
I:649216
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Jane Packager <jane@example.org>
t:1714000000
c:0123456789abcdef0123456789abcdef01234567
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1zyxwvutsrqponmlkjihgfedcba9876=
R:libc.musl-x86_64.so.1
`;

const SSL = `C:Q1sslsslsslsslsslsslsslsslsslssl=
P:libssl3
V:3.3.2-r0
A:x86_64
S:350000
I:700000
T:SSL shared libraries
L:Apache-2.0
o:openssl
m:Jane Packager <jane@example.org>
t:1725000000
c:fedcba9876543210fedcba9876543210fedcba98
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3
p:so:libssl.so.3=3
F:usr
F:usr/lib
R:libssl.so.3
F:usr/lib/ossl-modules
R:legacy.so
`;

const OLD = `P:oldlib
V:0.1-r5
A:x86_64
L:MIT BSD-2-Clause
o:oldlib
`;

async function run(
  content:
    | string
    | {
        content: string;
        layer: ReturnType<typeof testLayer>;
        history: { layer: ReturnType<typeof testLayer>; content: Buffer }[];
      },
) {
  const view = memoryView(
    { '/lib/apk/db/installed': content, '/lib/apk/db/scripts.tar': 'x' },
    apkCataloger.match,
  );
  const res = await apkCataloger.catalog(view, ctx);
  return {
    pkgs: new Map<string, Package>(res.packages.map((p) => [p.name, p])),
    unknowns: (res.unknowns ?? []).map((u) => u.reason),
  };
}

describe('parseInstalled', () => {
  it('reads fields and folder/file lines', () => {
    const { entries, problems } = parseInstalled(`${MUSL}\n${SSL}`);
    expect(problems).toEqual([]);
    expect(entries[1]).toEqual({
      name: 'libssl3',
      version: '3.3.2-r0',
      arch: 'x86_64',
      origin: 'openssl',
      license: 'Apache-2.0',
      commit: 'fedcba9876543210fedcba9876543210fedcba98',
      maintainer: 'Jane Packager <jane@example.org>',
      description: 'SSL shared libraries',
      buildTime: 1725000000,
      size: 350000,
      installedSize: 700000,
      depends: ['so:libc.musl-x86_64.so.1', 'so:libcrypto.so.3'],
      provides: ['so:libssl.so.3=3'],
      files: ['/usr/lib/libssl.so.3', '/usr/lib/ossl-modules/legacy.so'],
    });
  });

  it('reports packages without name or version, and garbage lines', () => {
    const { entries, problems } = parseInstalled(
      `P:nover\nA:x86_64\n\nV:1-r0\n\nP:junk\nV:1-r0\nthis is junk\n\n${OLD}`,
    );
    expect(entries.map((e) => e.name)).toEqual(['oldlib']);
    expect(problems).toEqual([
      'package at line 1: missing V: (version) field',
      'package at line 4: missing P: (name) field',
      'package at line 6: line 8: not a "X:value" line',
    ]);
  });
});

describe('apkLicenses', () => {
  it.each([
    ['MIT', ['MIT']],
    ['MIT AND BSD-2-Clause', ['MIT AND BSD-2-Clause']],
    ['MIT BSD-2-Clause', ['BSD-2-Clause', 'MIT']],
    ['Public Domain', ['LicenseRef-public-domain']],
    ['GPL-2.0-or-later OR MIT', ['GPL-2.0-or-later OR MIT']],
    ['', []],
  ])('%s', (field, expected) => {
    expect(apkLicenses(field)).toEqual(expected);
  });
});

describe('apk-db cataloger', () => {
  it('builds packages with PURLs and origin', async () => {
    const { pkgs, unknowns } = await run(`${MUSL}\n${SSL}\n${OLD}`);
    expect(unknowns).toEqual([]);
    expect(pkgs.get('libssl3')).toMatchObject({
      id: '',
      type: 'apk',
      foundBy: 'apk-db',
      purl: 'pkg:apk/alpine/libssl3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl',
      sourceName: 'openssl',
      sourceVersion: '3.3.2-r0',
      licenses: ['Apache-2.0'],
      arch: 'x86_64',
      files: ['/usr/lib/libssl.so.3', '/usr/lib/ossl-modules/legacy.so'],
      locations: [{ path: '/lib/apk/db/installed' }],
      metadata: {
        commit: 'fedcba9876543210fedcba9876543210fedcba98',
        buildTime: 1725000000,
        installedSize: 700000,
      },
    });
    expect(pkgs.get('musl')).toMatchObject({
      purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
      files: ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1'],
    });
    expect(pkgs.get('oldlib')!.licenses).toEqual(['BSD-2-Clause', 'MIT']);
  });

  it('attributes packages to layers', async () => {
    const upgraded = SSL.replace('3.3.2-r0', '3.3.2-r1');
    const { pkgs } = await run({
      content: `${MUSL}\n${upgraded}`,
      layer: testLayer(2),
      history: [
        { layer: testLayer(0), content: Buffer.from(MUSL) },
        { layer: testLayer(1), content: Buffer.from(`${MUSL}\n${SSL}`) },
      ],
    });
    expect(pkgs.get('musl')!.layer).toEqual(testLayer(0));
    expect(pkgs.get('libssl3')!.layer).toEqual(testLayer(2));
    expect(pkgs.get('libssl3')!.locations).toEqual([{ path: '/lib/apk/db/installed', layer: testLayer(2) }]);
  });

  it('reports malformed packages and keeps the rest', async () => {
    const { pkgs, unknowns } = await run(`P:broken\n\n${MUSL}`);
    expect([...pkgs.keys()]).toEqual(['musl']);
    expect(unknowns).toEqual(['package at line 1: missing V: (version) field']);
  });
});
