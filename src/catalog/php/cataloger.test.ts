import { describe, it, expect } from 'vitest';
import { memoryView } from '../test-support/memory-view.js';
import { phpComposerInstalledCataloger } from './cataloger.js';

const ctx = { source: { kind: 'directory' as const, target: '.', path: '.' } };

const MONOLOG = {
  name: 'monolog/monolog',
  version: '3.5.0',
  version_normalized: '3.5.0.0',
  type: 'library',
  license: ['MIT'],
  require: { php: '>=8.1', 'psr/log': '^2.0 || ^3.0' },
  dist: { type: 'zip', reference: 'c915e2634718dbc8a4a15c61b0e62e7a44e14448' },
};
const PSRLOG = { name: 'psr/log', version: '3.0.0', license: 'MIT' };
const PHPUNIT = { name: 'phpunit/phpunit', version: '10.5.3', license: ['BSD-3-Clause'] };

async function run(files: Record<string, string>) {
  return phpComposerInstalledCataloger.catalog(memoryView(files, phpComposerInstalledCataloger.match), ctx);
}

describe('php-composer-installed cataloger', () => {
  it.each([
    ['v1 (array)', JSON.stringify([MONOLOG, PSRLOG, PHPUNIT]), 'prod'],
    [
      'v2 (object)',
      JSON.stringify({
        packages: [MONOLOG, PSRLOG, PHPUNIT],
        dev: true,
        'dev-package-names': ['phpunit/phpunit'],
      }),
      'dev',
    ],
  ])('reads the %s layout', async (_layout, json, phpunitScope) => {
    const res = await run({ '/var/www/vendor/composer/installed.json': json });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.purl} [${p.licenses.join(',')}] ${p.scope}`)).toEqual([
      'pkg:composer/monolog/monolog@3.5.0 [MIT] prod',
      `pkg:composer/phpunit/phpunit@10.5.3 [BSD-3-Clause] ${phpunitScope}`,
      'pkg:composer/psr/log@3.0.0 [MIT] prod',
    ]);
    const [monolog, , psr] = res.packages;
    expect(res.relationships).toEqual([{ from: monolog!.id, to: psr!.id, type: 'depends-on' }]);
    expect(monolog!.metadata).toMatchObject({
      versionNormalized: '3.5.0.0',
      reference: 'c915e2634718dbc8a4a15c61b0e62e7a44e14448',
    });
  });

  it('reports malformed files and bad elements, keeping the good ones', async () => {
    const res = await run({
      '/a/vendor/composer/installed.json': '{"packages": ',
      '/b/vendor/composer/installed.json': '{"foo": 1}',
      '/c/vendor/composer/installed.json': JSON.stringify([{ name: 'no-version/x' }, 42, PSRLOG]),
    });
    expect(res.unknowns!.map((u) => [u.path, u.reason.replace(/:.*/, '')])).toEqual([
      ['/a/vendor/composer/installed.json', 'malformed installed.json'],
      [
        '/b/vendor/composer/installed.json',
        'installed.json is neither a package list (v1) nor an object with packages (v2)',
      ],
      ['/c/vendor/composer/installed.json', 'installed.json package #0 lacks a valid name or version'],
      ['/c/vendor/composer/installed.json', 'installed.json package #1 lacks a valid name or version'],
    ]);
    expect(res.packages.map((p) => p.name)).toEqual(['psr/log']);
  });
});
