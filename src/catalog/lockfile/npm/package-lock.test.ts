import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testLayer } from '../../test-support/memory-view.js';
import { edges, find, flags, names, runCataloger } from '../test-support/run.js';
import { packageLockCataloger } from './package-lock.js';
import { prerequisite } from '../../../test-support/require.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

const v3 = {
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: 'app',
      version: '1.0.0',
      workspaces: ['packages/*'],
      dependencies: { express: '^4.18.0', '@scope/util': '^1.0.0', 'str-width': 'npm:string-width@^4' },
      devDependencies: { typescript: '^5.0.0' },
      optionalDependencies: { fsevents: '^2.3.0' },
    },
    'node_modules/express': {
      version: '4.18.2',
      resolved: 'https://registry.npmjs.org/express/-/express-4.18.2.tgz',
      integrity: 'sha512-expr',
      license: 'MIT',
      dependencies: { debug: '2.6.9', bundled: '^1.0.0' },
    },
    'node_modules/express/node_modules/debug': { version: '2.6.9', dependencies: { ms: '2.0.0' } },
    'node_modules/express/node_modules/bundled': { version: '1.0.0', inBundle: true },
    'node_modules/debug': { version: '4.3.4', dev: true, dependencies: { ms: '2.1.2' } },
    'node_modules/ms': { version: '2.1.2', dev: true },
    'node_modules/express/node_modules/ms': { version: '2.0.0' },
    'node_modules/@scope/util': { resolved: 'packages/util', link: true },
    'packages/util': { name: '@scope/util', version: '1.2.0', dependencies: { debug: '^4' } },
    'node_modules/typescript': { version: '5.4.5', dev: true, license: 'Apache-2.0' },
    'node_modules/fsevents': { version: '2.3.3', optional: true },
    'node_modules/nan': { version: '2.0.0', devOptional: true },
    'node_modules/react': { version: '18.2.0', peer: true },
    'node_modules/str-width': { name: 'string-width', version: '4.2.3' },
  },
};

describe('package-lock.json v3', () => {
  it('records every install with scope, directness and Node resolution', async () => {
    const layer = testLayer(2);
    const r = await runCataloger(packageLockCataloger, {
      '/app/package-lock.json': { content: JSON.stringify(v3), layer },
    });
    expect(r.unknowns).toEqual([]);
    expect(flags(r)).toEqual([
      '@scope/util@1.2.0 direct=true scope=prod',
      'bundled@1.0.0 direct=false scope=prod',
      'debug@2.6.9 direct=false scope=prod',
      // Declared by the workspace packages/util: workspaces are part of the project.
      'debug@4.3.4 direct=true scope=dev',
      'express@4.18.2 direct=true scope=prod',
      'fsevents@2.3.3 direct=true scope=optional',
      'ms@2.0.0 direct=false scope=prod',
      'ms@2.1.2 direct=false scope=dev',
      'nan@2.0.0 direct=false scope=optional',
      'react@18.2.0 direct=false scope=peer',
      'string-width@4.2.3 direct=true scope=prod',
      'typescript@5.4.5 direct=true scope=dev',
    ]);
    expect(edges(r)).toEqual([
      '@scope/util@1.2.0 -> debug@4.3.4',
      'debug@2.6.9 -> ms@2.0.0',
      'debug@4.3.4 -> ms@2.1.2',
      'express@4.18.2 -> bundled@1.0.0',
      'express@4.18.2 -> debug@2.6.9',
    ]);
    const express = find(r, 'express');
    expect(express).toMatchObject({
      type: 'npm',
      purl: 'pkg:npm/express@4.18.2',
      licenses: ['MIT'],
      foundBy: 'npm-package-lock',
      locations: [{ path: '/app/package-lock.json', layer }],
      metadata: {
        path: 'node_modules/express',
        resolved: 'https://registry.npmjs.org/express/-/express-4.18.2.tgz',
        integrity: 'sha512-expr',
        project: 'app',
      },
    });
    expect(find(r, '@scope/util').purl).toBe('pkg:npm/%40scope/util@1.2.0');
    expect(find(r, '@scope/util').metadata).toMatchObject({ link: true, path: 'node_modules/@scope/util' });
    expect(find(r, 'bundled').metadata).toMatchObject({ inBundle: true });
    expect(find(r, 'string-width').metadata).toMatchObject({ path: 'node_modules/str-width' });
  });
});

describe('package-lock.json v2', () => {
  it('prefers the packages map over the legacy dependencies tree', async () => {
    const lock = {
      name: 'svc',
      lockfileVersion: 2,
      packages: {
        '': { name: 'svc', dependencies: { a: '1' } },
        'node_modules/a': { version: '1.0.0', dependencies: { b: '2' } },
        'node_modules/b': { version: '2.0.0' },
      },
      dependencies: {
        a: { version: '1.0.0', requires: { b: '2' } },
        b: { version: '2.0.0' },
        ignored: { version: '9.9.9' },
      },
    };
    const r = await runCataloger(packageLockCataloger, { '/src/npm-shrinkwrap.json': JSON.stringify(lock) });
    expect(flags(r)).toEqual(['a@1.0.0 direct=true scope=prod', 'b@2.0.0 direct=false scope=prod']);
    expect(edges(r)).toEqual(['a@1.0.0 -> b@2.0.0']);
    expect(find(r, 'a').metadata).toMatchObject({ lockfileVersion: 2 });
  });
});

describe('package-lock.json v1', () => {
  const lock = {
    name: 'old',
    version: '0.1.0',
    lockfileVersion: 1,
    requires: true,
    dependencies: {
      a: {
        version: '1.0.0',
        integrity: 'sha1-a',
        requires: { b: '^1', c: '^1' },
        dependencies: { b: { version: '1.5.0' } },
      },
      b: { version: '2.0.0', dev: true },
      c: { version: '1.1.0', optional: true, bundled: true },
      alias: { version: 'npm:real@3.0.0' },
    },
  };

  it('walks the nested tree; direct comes from package.json beside it', async () => {
    const r = await runCataloger(packageLockCataloger, {
      '/p/package-lock.json': JSON.stringify(lock),
      '/p/package.json': JSON.stringify({
        name: 'old',
        dependencies: { a: '^1', alias: 'npm:real@3' },
        devDependencies: { b: '2' },
      }),
    });
    expect(flags(r)).toEqual([
      'a@1.0.0 direct=true scope=prod',
      'b@1.5.0 direct=false scope=prod',
      'b@2.0.0 direct=true scope=dev',
      'c@1.1.0 direct=false scope=optional',
      'real@3.0.0 direct=true scope=prod',
    ]);
    expect(edges(r)).toEqual(['a@1.0.0 -> b@1.5.0', 'a@1.0.0 -> c@1.1.0']);
    expect(find(r, 'real').metadata).toMatchObject({ alias: 'alias', path: 'node_modules/alias' });
    expect(find(r, 'c').metadata).toMatchObject({ inBundle: true });
  });

  it('leaves direct unknown without the manifest', async () => {
    const r = await runCataloger(packageLockCataloger, { '/p/package-lock.json': JSON.stringify(lock) });
    expect(r.packages.every((p) => p.direct === undefined)).toBe(true);
    expect(names(r)).toHaveLength(5);
  });
});

describe('bad input', () => {
  it.each([
    ['{ "lockfileVersion": 3, "packages": ', /invalid JSON/],
    ['[1, 2]', /top level is not an object/],
    ['{ "lockfileVersion": 3, "packages": [] }', /neither/],
  ])('%s becomes an unknown', async (content, reason) => {
    const r = await runCataloger(packageLockCataloger, {
      '/bad/package-lock.json': content,
      '/good/package-lock.json': JSON.stringify(v3),
    });
    expect(r.unknowns).toHaveLength(1);
    expect(r.unknowns[0]).toMatchObject({ path: '/bad/package-lock.json', cataloger: 'npm-package-lock' });
    expect(r.unknowns[0]!.reason).toMatch(reason);
    expect(r.packages.length).toBeGreaterThan(0);
  });

  it('reports an entry without a version and keeps the others', async () => {
    const r = await runCataloger(packageLockCataloger, {
      '/x/package-lock.json': JSON.stringify({
        lockfileVersion: 3,
        packages: { '': {}, 'node_modules/a': {}, 'node_modules/b': { version: '1.0.0' } },
      }),
    });
    expect(names(r)).toEqual(['b@1.0.0']);
    expect(r.unknowns.map((u) => u.reason)).toEqual(['node_modules/a: no version']);
  });

  it('does not match the hidden lock file or package.json inside node_modules', () => {
    expect(packageLockCataloger.match('/app/node_modules/.package-lock.json')).toBe(false);
    expect(packageLockCataloger.match('/app/node_modules/x/package.json')).toBe(false);
    expect(packageLockCataloger.match('/a/b/package-lock.json')).toBe(true);
  });
});

const ownLock = resolve(repoRoot, 'package-lock.json');
describe.skipIf(!prerequisite(existsSync(ownLock), `own package-lock tests: ${ownLock} is missing`))(
  "this repository's own package-lock.json",
  () => {
    it('records one package per node_modules entry with matching dev flags', async () => {
      const text = readFileSync(ownLock, 'utf8');
      const lock = JSON.parse(text) as {
        packages: Record<string, { version?: string; dev?: boolean; name?: string }>;
      };
      const installs = Object.entries(lock.packages).filter(([k]) => k.includes('node_modules/'));
      const r = await runCataloger(packageLockCataloger, { '/repo/package-lock.json': text });
      expect(r.unknowns).toEqual([]);
      expect(r.packages).toHaveLength(installs.length);
      const byPath = new Map(r.packages.map((p) => [p.metadata?.path as string, p]));
      for (const [path, entry] of installs) {
        const p = byPath.get(path);
        expect(p, path).toBeDefined();
        expect(p!.version).toBe(entry.version);
        expect(p!.scope === 'dev', path).toBe(entry.dev === true);
      }
      // Every direct dependency in the root entry is marked direct.
      const root = lock.packages[''] as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const declared = [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.devDependencies ?? {})];
      for (const name of declared) expect(byPath.get(`node_modules/${name}`)?.direct, name).toBe(true);
      expect(r.relationships.length).toBeGreaterThan(0);
    });
  },
);
