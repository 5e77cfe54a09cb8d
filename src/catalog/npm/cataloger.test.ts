import { describe, it, expect } from 'vitest';
import { memoryView, testLayer } from '../test-support/memory-view.js';
import { npmInstalledCataloger } from './cataloger.js';

async function run(files: Record<string, string>) {
  return npmInstalledCataloger.catalog(memoryView(files, npmInstalledCataloger.match), {
    source: { kind: 'directory', target: '.', path: '.' },
  });
}

const pj = (o: Record<string, unknown>) => JSON.stringify(o);

describe('npm-installed cataloger', () => {
  it('finds nested, scoped and bundled packages and Node’s own npm, skipping the app', async () => {
    const res = await run({
      '/app/package.json': pj({ name: 'my-app', version: '1.0.0', private: true }),
      '/app/node_modules/express/package.json': pj({ name: 'express', version: '4.18.2', license: 'MIT' }),
      '/app/node_modules/express/node_modules/debug/package.json': pj({
        name: 'debug',
        version: '2.6.9',
        license: { type: 'MIT', url: 'x' },
      }),
      '/app/node_modules/@babel/core/package.json': pj({
        name: '@babel/core',
        version: '7.23.0',
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
      }),
      '/app/node_modules/@babel/core/lib/package.json': pj({ type: 'commonjs' }),
      '/usr/lib/node_modules/npm/package.json': pj({
        name: 'npm',
        version: '10.2.4',
        license: 'Artistic-2.0',
      }),
      '/usr/lib/node_modules/npm/node_modules/semver/package.json': pj({
        name: 'semver',
        version: '7.5.4',
        license: 'ISC',
      }),
      '/srv/lib/package.json': pj({
        name: 'published-lib',
        version: '2.0.0',
        license: '(MIT OR Apache-2.0)',
      }),
      '/srv/app-without-version/package.json': pj({ name: 'x' }),
    });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.purl} [${p.licenses.join(',')}] ${p.locations[0]!.path}`)).toEqual([
      'pkg:npm/%40babel/core@7.23.0 [Apache-2.0,MIT] /app/node_modules/@babel/core/package.json',
      'pkg:npm/debug@2.6.9 [MIT] /app/node_modules/express/node_modules/debug/package.json',
      'pkg:npm/express@4.18.2 [MIT] /app/node_modules/express/package.json',
      'pkg:npm/npm@10.2.4 [Artistic-2.0] /usr/lib/node_modules/npm/package.json',
      'pkg:npm/published-lib@2.0.0 [(MIT OR Apache-2.0)] /srv/lib/package.json',
      'pkg:npm/semver@7.5.4 [ISC] /usr/lib/node_modules/npm/node_modules/semver/package.json',
    ]);
    expect(res.packages.every((p) => p.foundBy === 'npm-installed' && p.type === 'npm')).toBe(true);
  });

  it('records the layer of the package.json', async () => {
    const layer = testLayer(3);
    const view = memoryView({
      '/app/node_modules/a/package.json': { content: pj({ name: 'a', version: '1.0.0' }), layer },
    });
    const res = await npmInstalledCataloger.catalog(view, {
      source: { kind: 'directory', target: '.', path: '.' },
    });
    expect(res.packages[0]!.locations).toEqual([{ path: '/app/node_modules/a/package.json', layer }]);
    expect(res.packages[0]!.layer).toEqual(layer);
  });

  it('reports malformed package.json files as unknowns and goes on', async () => {
    const res = await run({
      '/app/node_modules/broken/package.json': '{"name": "broken", ',
      '/app/node_modules/noversion/package.json': pj({ name: 'noversion' }),
      '/app/node_modules/array/package.json': '[1,2]',
      '/app/node_modules/ok/package.json': pj({ name: 'ok', version: '1.0.0' }),
    });
    expect(res.unknowns!.map((u) => [u.path, u.reason.split(':')[0]])).toEqual([
      ['/app/node_modules/array/package.json', 'package.json is not a JSON object'],
      ['/app/node_modules/broken/package.json', 'malformed package.json'],
      ['/app/node_modules/noversion/package.json', 'package.json lacks a version'],
    ]);
    expect(res.packages.map((p) => p.name)).toEqual(['ok']);
  });

  it.each([
    ['/app/node_modules/a/package.json', true],
    ['/app/node_modules/@s/a/package.json', true],
    ['/app/node_modules/a/node_modules/b/package.json', true],
    ['/app/node_modules/a/test/fixtures/package.json', false],
    ['/app/node_modules/@s/package.json', false],
    ['/app/package.json', true],
    ['/app/package-lock.json', false],
    // Debian's node-* modules are real npm packages (their owner is linked by the core).
    ['/usr/share/nodejs/cookie/package.json', true],
    // A manifest inside a gem or a Python distribution is part of that package, not an npm install.
    ['/usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/vscode/package.json', false],
    ['/usr/lib/python3/dist-packages/notebook/static/package.json', false],
    ['/usr/lib/python3.11/site-packages/jupyterlab/package.json', false],
  ])('match(%s) = %s', (path, expected) => {
    expect(npmInstalledCataloger.match(path)).toBe(expected);
  });
});
