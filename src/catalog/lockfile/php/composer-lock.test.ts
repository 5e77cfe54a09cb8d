import { describe, expect, it } from 'vitest';
import { edges, find, flags, runCataloger } from '../test-support/run.js';
import { composerLockCataloger } from './composer-lock.js';

const lock = {
  _readme: ['This file locks the dependencies of your project to a known state'],
  'content-hash': 'abc',
  packages: [
    {
      name: 'monolog/monolog',
      version: '3.5.0',
      source: { type: 'git', url: 'https://github.com/Seldaek/monolog.git', reference: 'c915e2' },
      dist: {
        type: 'zip',
        url: 'https://api.github.com/repos/Seldaek/monolog/zipball/c915e2',
        reference: 'c915e2',
        shasum: '',
      },
      require: { php: '>=8.1', 'psr/log': '^2.0 || ^3.0', 'ext-json': '*' },
      license: ['MIT'],
      type: 'library',
    },
    { name: 'psr/log', version: '3.0.0', license: ['MIT'], require: { php: '>=8.0.0' } },
    { name: 'Symfony/Polyfill-Mbstring', version: 'v1.28.0', license: ['MIT'] },
  ],
  'packages-dev': [
    {
      name: 'phpunit/phpunit',
      version: '10.5.1',
      require: { 'symfony/polyfill-mbstring': '^1' },
      license: ['BSD-3-Clause'],
    },
  ],
  platform: { php: '^8.2' },
};

describe('composer.lock', () => {
  it('reads prod and dev packages, edges, licences; direct from composer.json', async () => {
    const r = await runCataloger(composerLockCataloger, {
      '/site/composer.lock': JSON.stringify(lock),
      '/site/composer.json': JSON.stringify({
        require: { 'monolog/monolog': '^3' },
        'require-dev': { 'phpunit/phpunit': '^10' },
      }),
      '/site/vendor/psr/log/composer.json': '{}',
    });
    expect(r.unknowns).toEqual([]);
    expect(flags(r)).toEqual([
      'Symfony/Polyfill-Mbstring@v1.28.0 direct=false scope=prod',
      'monolog/monolog@3.5.0 direct=true scope=prod',
      'phpunit/phpunit@10.5.1 direct=true scope=dev',
      'psr/log@3.0.0 direct=false scope=prod',
    ]);
    expect(edges(r)).toEqual([
      'monolog/monolog@3.5.0 -> psr/log@3.0.0',
      'phpunit/phpunit@10.5.1 -> Symfony/Polyfill-Mbstring@v1.28.0',
    ]);
    expect(find(r, 'monolog/monolog')).toMatchObject({
      type: 'composer',
      purl: 'pkg:composer/monolog/monolog@3.5.0',
      licenses: ['MIT'],
      metadata: { reference: 'c915e2', sourceUrl: 'https://github.com/Seldaek/monolog.git' },
    });
    expect(find(r, 'Symfony/Polyfill-Mbstring').purl).toBe('pkg:composer/symfony/polyfill-mbstring@v1.28.0');
    expect(composerLockCataloger.match('/site/vendor/psr/log/composer.json')).toBe(false);
  });

  it('without composer.json directness stays unknown; bad entries are reported', async () => {
    const r = await runCataloger(composerLockCataloger, {
      '/x/composer.lock': JSON.stringify({
        packages: [{ name: 'a/b' }, { name: 'c/d', version: '1.0.0' }],
        'packages-dev': 5,
      }),
    });
    expect(flags(r)).toEqual(['c/d@1.0.0 direct=undefined scope=prod']);
    expect(r.unknowns.map((u) => u.reason)).toEqual([
      '"packages-dev" is not an array',
      'packages[0] (a/b): no version',
    ]);
  });

  it.each([
    ['{"packages": {}}', /no "packages" array/],
    ['{', /invalid JSON/],
  ])('rejects %j', async (text, reason) => {
    const r = await runCataloger(composerLockCataloger, { '/x/composer.lock': text });
    expect(r.unknowns[0]!.reason).toMatch(reason);
  });
});
