/** Contract tests that walk every registered lock-file cataloger. */
import { describe, expect, it } from 'vitest';
import { testLayer } from '../test-support/memory-view.js';
import { LOCKFILE_CATALOGERS } from './index.js';
import { runCataloger } from './test-support/run.js';

/** One small valid file per cataloger, each yielding at least one package. */
const SAMPLES: Record<string, [string, string]> = {
  'npm-package-lock': [
    'package-lock.json',
    JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: '1.0.0' } } }),
  ],
  'yarn-lock': ['yarn.lock', 'a@^1:\n  version "1.0.0"\n'],
  'pnpm-lock': [
    'pnpm-lock.yaml',
    "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  a@1.0.0: {}\n",
  ],
  'python-requirements': ['requirements.txt', 'a==1.0.0\n'],
  'poetry-lock': ['poetry.lock', '[[package]]\nname = "a"\nversion = "1.0.0"\n'],
  'pipfile-lock': ['Pipfile.lock', '{"default": {"a": {"version": "==1.0.0"}}}'],
  'uv-lock': [
    'uv.lock',
    'version = 1\n[[package]]\nname = "a"\nversion = "1.0.0"\nsource = { registry = "r" }\n',
  ],
  'go-mod': ['go.mod', 'module m\nrequire a.example/b v1.0.0\n'],
  'cargo-lock': [
    'Cargo.lock',
    'version = 3\n[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+x"\n',
  ],
  'gemfile-lock': ['Gemfile.lock', 'GEM\n  remote: https://rubygems.org/\n  specs:\n    a (1.0.0)\n'],
  'composer-lock': ['composer.lock', '{"packages": [{"name": "a/b", "version": "1.0.0"}]}'],
  'maven-pom': [
    'pom.xml',
    '<project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1.0.0</version></dependency></dependencies></project>',
  ],
  'gradle-lockfile': ['gradle.lockfile', 'g:a:1.0.0=runtimeClasspath\n'],
  'nuget-packages-lock': [
    'packages.lock.json',
    '{"version": 1, "dependencies": {"net8.0": {"A": {"type": "Direct", "resolved": "1.0.0"}}}}',
  ],
};

describe('lock-file catalogers', () => {
  it('have unique kebab-case ids and a sample each', () => {
    const ids = LOCKFILE_CATALOGERS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(Object.keys(SAMPLES).sort()).toEqual([...ids].sort());
  });

  it.each(LOCKFILE_CATALOGERS.map((c) => [c.id, c] as const))(
    '%s: finds its file at any depth, with location and layer',
    async (id, cataloger) => {
      const [name, content] = SAMPLES[id]!;
      const path = `/deep/down/in/the/tree/${name}`;
      expect(cataloger.match(path)).toBe(true);
      expect(cataloger.match(`/deep/${name}.bak`)).toBe(false);
      const layer = testLayer(3);
      const r = await runCataloger(cataloger, { [path]: { content, layer } });
      expect(r.unknowns).toEqual([]);
      expect(r.packages.length).toBeGreaterThan(0);
      for (const p of r.packages) {
        expect(p.foundBy).toBe(id);
        expect(p.locations).toEqual([{ path, layer }]);
        expect(p.layer).toEqual(layer);
        expect(p.purl).toMatch(/^pkg:[a-z]+\//);
        expect(p.id.startsWith(`${id}:${path}:`)).toBe(true);
      }
    },
  );

  it.each(LOCKFILE_CATALOGERS.map((c) => [c.id, c] as const))(
    '%s: garbage, binary and truncated input never break the scan',
    async (id, cataloger) => {
      const [name, content] = SAMPLES[id]!;
      const files = {
        [`/a/${name}`]: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x3c, 0x7b, 0x5b]),
        [`/b/${name}`]: content.slice(0, Math.floor(content.length / 2)),
        [`/c/${name}`]: content,
      };
      const r = await runCataloger(cataloger, files);
      // The good file is always cataloged, whatever happened to the others.
      expect(r.packages.some((p) => p.locations[0]!.path === `/c/${name}`)).toBe(true);
      for (const u of r.unknowns) {
        expect(u.reason).not.toMatch(/\n/);
        expect(u.reason.length).toBeLessThan(500);
      }
    },
  );

  it('output is sorted and deterministic', async () => {
    for (const cataloger of LOCKFILE_CATALOGERS) {
      const [name, content] = SAMPLES[cataloger.id]!;
      const files = { [`/z/${name}`]: content, [`/a/${name}`]: content };
      const one = await runCataloger(cataloger, files);
      const two = await runCataloger(cataloger, files);
      expect(one).toEqual(two);
      // Same name and version in both files: ordered by id, which starts with the path.
      const paths = one.packages.map((p) => p.locations[0]!.path);
      expect(paths).toEqual([...paths].sort());
      expect(new Set(paths)).toEqual(new Set([`/a/${name}`, `/z/${name}`]));
    }
  });
});

describe('lock files inside installed packages', () => {
  it.each([
    ['/app/node_modules/uri-js/yarn.lock', false],
    ['/var/lib/gems/3.1.0/gems/rbs-2.1.0/steep/Gemfile.lock', false],
    ['/usr/lib/python3/dist-packages/foo/requirements.txt', false],
    ['/src/vendor/github.com/x/y/go.mod', false],
    ['/app/yarn.lock', true],
    ['/srv/api/Gemfile.lock', true],
    ['/repo/services/web/package-lock.json', true],
  ])('%s matched: %s', (path, expected) => {
    expect(LOCKFILE_CATALOGERS.some((c) => c.match(path))).toBe(expected);
  });
});
