import { describe, it, expect } from 'vitest';
import { memoryView } from '../test-support/memory-view.js';
import { INSTALLED_CATALOGERS } from './installed.js';

describe('INSTALLED_CATALOGERS contract', () => {
  it('has unique kebab-case ids and positive versions', () => {
    const ids = INSTALLED_CATALOGERS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of INSTALLED_CATALOGERS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.version).toBeGreaterThan(0);
    }
  });

  it.each(INSTALLED_CATALOGERS.map((c) => [c.id, c] as const))(
    '%s returns an empty, well-formed result for an empty view',
    async (_id, c) => {
      const res = await c.catalog(memoryView({}), { source: { kind: 'directory', target: '.', path: '.' } });
      expect(res.packages).toEqual([]);
      expect(res.unknowns ?? []).toEqual([]);
    },
  );

  it.each(INSTALLED_CATALOGERS.map((c) => [c.id, c] as const))(
    '%s never crashes on hostile content of a matched path',
    async (_id, c) => {
      // Paths each cataloger claims, fed random bytes and empty files: only unknowns or nothing.
      const paths = [
        '/app/node_modules/x/package.json',
        '/usr/lib/python3/dist-packages/x-1.dist-info/METADATA',
        '/usr/lib/python3/dist-packages/x-1.egg',
        '/app/x.jar',
        '/usr/local/bin/x',
        '/var/lib/gems/3.1.0/specifications/x-1.gemspec',
        '/app/vendor/composer/installed.json',
        '/app/x.deps.json',
        '/usr/bin/node',
        '/usr/bin/python3.11',
        '/opt/java/openjdk/release',
        '/usr/local/go/VERSION',
      ].filter((p) => c.match(p));
      expect(paths.length).toBeGreaterThan(0);
      let seed = 42;
      const random = Buffer.alloc(4096, 0).map(
        () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff,
      );
      for (const content of [
        Buffer.alloc(0),
        Buffer.from(random),
        Buffer.concat([Buffer.from('\x7fELF\x02\x01', 'latin1'), random]),
        Buffer.concat([Buffer.from('PK\x03\x04'), random]),
      ]) {
        const files = Object.fromEntries(paths.map((p) => [p, content]));
        const res = await c.catalog(memoryView(files, c.match), {
          source: { kind: 'directory', target: '.', path: '.' },
        });
        for (const u of res.unknowns ?? []) expect(u.reason).not.toMatch(/\n/);
      }
    },
  );
});
