import { describe, it, expect } from 'vitest';
import { zlibSync } from 'fflate';
import { memoryView } from '../test-support/memory-view.js';
import { buildElf, buildMachO, buildPe } from '../binary/test-support/build-exec.js';
import { rustAuditableCataloger } from './cataloger.js';
import { inflateZlibLimited } from './auditable.js';

const DEPS = {
  packages: [
    { name: 'adler', version: '1.0.2', source: 'crates.io' },
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
    { name: 'hello', version: '0.1.0', source: 'local', dependencies: [0, 1, 3], root: true },
    { name: 'miniz_oxide', version: '0.7.1', source: 'crates.io', dependencies: [0] },
  ],
};

function section(doc: unknown): Buffer {
  return Buffer.from(zlibSync(Buffer.from(JSON.stringify(doc))));
}

async function run(files: Record<string, Buffer | string>) {
  return rustAuditableCataloger.catalog(memoryView(files, rustAuditableCataloger.match), {
    source: { kind: 'directory', target: '.', path: '.' },
  });
}

describe('rust-auditable-binary cataloger', () => {
  it.each([
    [
      'ELF',
      buildElf([
        { name: '.text', data: Buffer.alloc(16) },
        { name: '.dep-v0', data: section(DEPS) },
      ]),
    ],
    ['PE', buildPe([{ name: '.dep-v0', data: section(DEPS) }])],
    ['Mach-O', buildMachO([{ name: '.dep-v0', data: section(DEPS) }])],
  ])('reads crates and their edges from a %s binary', async (_f, bin) => {
    const res = await run({ '/usr/local/bin/hello': bin });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.purl} ${p.scope}`)).toEqual([
      'pkg:cargo/adler@1.0.2 prod',
      'pkg:cargo/cc@1.0.83 dev',
      'pkg:cargo/hello@0.1.0 prod',
      'pkg:cargo/miniz_oxide@0.7.1 prod',
    ]);
    const byId = new Map(res.packages.map((p) => [p.id, p.name]));
    const edges = res.relationships!.map((r) => `${byId.get(r.from)}->${byId.get(r.to)}`).sort();
    expect(edges).toEqual(['hello->adler', 'hello->cc', 'hello->miniz_oxide', 'miniz_oxide->adler']);
    expect(res.packages.find((p) => p.name === 'hello')?.direct).toBe(true);
  });

  it('reports damaged sections and goes on', async () => {
    const res = await run({
      '/usr/bin/a': buildElf([{ name: '.dep-v0', data: Buffer.from('not zlib at all') }]),
      '/usr/bin/b': buildElf([
        { name: '.dep-v0', data: Buffer.from(zlibSync(Buffer.from('{"packages": 3}'))) },
      ]),
      '/usr/bin/c': buildElf([{ name: '.dep-v0', data: Buffer.from(zlibSync(Buffer.from('{oops'))) }]),
      '/usr/bin/d': buildElf([{ name: '.dep-v0', data: section(DEPS) }]),
      '/usr/bin/plain': buildElf([{ name: '.text', data: Buffer.alloc(8) }]),
    });
    expect(res.unknowns!.map((u) => u.path)).toEqual(['/usr/bin/a', '/usr/bin/b', '/usr/bin/c']);
    expect(res.packages).toHaveLength(4);
  });

  it('bounds decompression (zlib bomb)', () => {
    const bomb = zlibSync(new Uint8Array(4 * 1024 * 1024));
    expect(() => inflateZlibLimited(bomb, 1024 * 1024)).toThrow(/expands beyond/);
    expect(inflateZlibLimited(bomb, 8 * 1024 * 1024).length).toBe(4 * 1024 * 1024);
  });
});
