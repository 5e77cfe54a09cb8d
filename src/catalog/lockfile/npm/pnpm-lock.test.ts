import { describe, expect, it } from 'vitest';
import { edges, find, flags, runCataloger } from '../test-support/run.js';
import { parsePnpmKey, pnpmLockCataloger } from './pnpm-lock.js';

const v6 = `lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)
  react:
    specifier: ^18.2.0
    version: 18.2.0

devDependencies:
  '@types/react':
    specifier: ^18
    version: 18.2.79

packages:

  /@types/react@18.2.79:
    resolution: {integrity: sha512-types}
    dependencies:
      csstype: 3.1.3
    dev: true

  /csstype@3.1.3:
    resolution: {integrity: sha512-css}
    dev: true

  /loose-envify@1.4.0:
    resolution: {integrity: sha512-le}
    hasBin: true
    dependencies:
      js-tokens: 4.0.0
    dev: false

  /js-tokens@4.0.0:
    resolution: {integrity: sha512-jt}
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-rd}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-r}
    engines: {node: '>=0.10.0'}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /scheduler@0.23.0:
    resolution: {integrity: sha512-s}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /fsevents@2.3.3:
    resolution: {integrity: sha512-fs}
    os: [darwin]
    requiresBuild: true
    dev: false
    optional: true
`;

describe('pnpm-lock.yaml v6', () => {
  it('reads packages, dev flags, direct deps and peer-suffixed references', async () => {
    const r = await runCataloger(pnpmLockCataloger, { '/w/pnpm-lock.yaml': v6 });
    expect(r.unknowns).toEqual([]);
    expect(flags(r)).toEqual([
      '@types/react@18.2.79 direct=true scope=dev',
      'csstype@3.1.3 direct=false scope=dev',
      'fsevents@2.3.3 direct=false scope=optional',
      'js-tokens@4.0.0 direct=false scope=prod',
      'loose-envify@1.4.0 direct=false scope=prod',
      'react-dom@18.2.0 direct=true scope=prod',
      'react@18.2.0 direct=true scope=prod',
      'scheduler@0.23.0 direct=false scope=prod',
    ]);
    expect(edges(r)).toEqual([
      '@types/react@18.2.79 -> csstype@3.1.3',
      'loose-envify@1.4.0 -> js-tokens@4.0.0',
      'react-dom@18.2.0 -> loose-envify@1.4.0',
      'react-dom@18.2.0 -> react@18.2.0',
      'react-dom@18.2.0 -> scheduler@0.23.0',
      'react@18.2.0 -> loose-envify@1.4.0',
      'scheduler@0.23.0 -> loose-envify@1.4.0',
    ]);
    expect(find(r, '@types/react')).toMatchObject({
      purl: 'pkg:npm/%40types/react@18.2.79',
      metadata: { integrity: 'sha512-types' },
    });
  });
});

const v9 = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true

importers:

  .:
    dependencies:
      lib:
        specifier: workspace:*
        version: link:packages/lib
      strip-ansi-cjs:
        specifier: npm:strip-ansi@^6.0.1
        version: strip-ansi@6.0.1
    devDependencies:
      vitest:
        specifier: ^1.6.0
        version: 1.6.0(@types/node@20.12.7)

  packages/lib:
    dependencies:
      debug:
        specifier: ^4.3.4
        version: 4.3.4(supports-color@8.1.1)
    optionalDependencies:
      fsevents:
        specifier: ^2.3.3
        version: 2.3.3

packages:

  '@types/node@20.12.7':
    resolution: {integrity: sha512-node}

  ansi-regex@5.0.1:
    resolution: {integrity: sha512-ar}
    engines: {node: '>=8'}

  debug@4.3.4:
    resolution: {integrity: sha512-debug}
    peerDependencies:
      supports-color: '*'
    peerDependenciesMeta:
      supports-color:
        optional: true

  fsevents@2.3.3:
    resolution: {integrity: sha512-fs}
    os: [darwin]

  ms@2.1.2:
    resolution: {integrity: sha512-ms}

  strip-ansi@6.0.1:
    resolution: {integrity: sha512-sa}

  supports-color@8.1.1:
    resolution: {integrity: sha512-sc}

  vitest@1.6.0:
    resolution: {integrity: sha512-vt}
    peerDependencies:
      '@types/node': ^18.0.0 || >=20.0.0

  tarball-pkg@https://example.com/t.tgz:
    resolution: {tarball: https://example.com/t.tgz}
    version: 1.0.0

snapshots:

  '@types/node@20.12.7': {}

  ansi-regex@5.0.1: {}

  debug@4.3.4(supports-color@8.1.1):
    dependencies:
      ms: 2.1.2
      supports-color: 8.1.1

  fsevents@2.3.3:
    optional: true

  ms@2.1.2: {}

  strip-ansi@6.0.1:
    dependencies:
      ansi-regex: 5.0.1

  supports-color@8.1.1: {}

  vitest@1.6.0(@types/node@20.12.7):
    dependencies:
      '@types/node': 20.12.7
      debug: 4.3.4(supports-color@8.1.1)
      tarball-pkg: https://example.com/t.tgz
`;

describe('pnpm-lock.yaml v9', () => {
  it('joins packages and snapshots, and derives dev/prod from the importers', async () => {
    const r = await runCataloger(pnpmLockCataloger, { '/m/pnpm-lock.yaml': v9 });
    expect(r.unknowns).toEqual([]);
    expect(flags(r)).toEqual([
      '@types/node@20.12.7 direct=false scope=dev',
      'ansi-regex@5.0.1 direct=false scope=prod',
      'debug@4.3.4 direct=true scope=prod',
      'fsevents@2.3.3 direct=true scope=optional',
      'ms@2.1.2 direct=false scope=prod',
      'strip-ansi@6.0.1 direct=true scope=prod',
      'supports-color@8.1.1 direct=false scope=prod',
      'tarball-pkg@1.0.0 direct=false scope=dev',
      'vitest@1.6.0 direct=true scope=dev',
    ]);
    expect(edges(r)).toEqual([
      'debug@4.3.4 -> ms@2.1.2',
      'debug@4.3.4 -> supports-color@8.1.1',
      'strip-ansi@6.0.1 -> ansi-regex@5.0.1',
      'vitest@1.6.0 -> @types/node@20.12.7',
      'vitest@1.6.0 -> debug@4.3.4',
      'vitest@1.6.0 -> tarball-pkg@1.0.0',
    ]);
    expect(find(r, 'tarball-pkg').metadata).toMatchObject({ resolved: 'https://example.com/t.tgz' });
  });
});

describe('pnpm-lock.yaml v5 and keys', () => {
  it.each([
    ['/lodash/4.17.21', 5.4, { name: 'lodash', version: '4.17.21' }],
    ['/@babel/core/7.0.0_supports-color@5.0.0', 5.4, { name: '@babel/core', version: '7.0.0' }],
    ['registry.example.com/ms/2.1.2', 5.3, { name: 'ms', version: '2.1.2' }],
    ['/@babel/core@7.0.0(supports-color@5.0.0)', 6, { name: '@babel/core', version: '7.0.0' }],
    ['@babel/core@7.0.0', 9, { name: '@babel/core', version: '7.0.0' }],
  ])('%s (v%s)', (key, major, expected) => {
    expect(parsePnpmKey(key, major)).toEqual(expected);
  });

  it('reads a v5 lock with specifiers and bare versions', async () => {
    const v5 = [
      'lockfileVersion: 5.4',
      'specifiers:',
      '  ms: ^2.1.0',
      'dependencies:',
      '  ms: 2.1.3',
      'packages:',
      '  /ms/2.1.3:',
      '    resolution: {integrity: sha512-ms}',
      '    dev: false',
      '',
    ].join('\n');
    const r = await runCataloger(pnpmLockCataloger, { '/o/pnpm-lock.yaml': v5 });
    expect(flags(r)).toEqual(['ms@2.1.3 direct=true scope=prod']);
  });

  it.each([
    ['packages: {}\n', /no lockfileVersion/],
    ["lockfileVersion: '4.0'\n", /not supported/],
    ['- a\n- b\n', /not a mapping/],
    ["lockfileVersion: '9.0'\npackages:\n  'x@1': {\n", /invalid YAML/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(pnpmLockCataloger, { '/bad/pnpm-lock.yaml': text });
    expect(r.packages).toEqual([]);
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });

  it('rejects deeply nested flow collections before parsing them', async () => {
    const text = `lockfileVersion: '9.0'\nx: ${'['.repeat(100_000)}`;
    const r = await runCataloger(pnpmLockCataloger, { '/bad/pnpm-lock.yaml': text });
    expect(r.unknowns.map((u) => u.reason)).toEqual([
      'pnpm-lock.yaml: invalid YAML (flow collections nested more than 256 levels)',
    ]);
  });
});
