import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../source/open.js';
import { buildImage, tempDir, writeOciLayout, type LayerSpec } from '../source/test-support/build.js';
import { CatalogCollector } from './collector.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function collect(
  layers: LayerSpec[],
  match: (p: string) => boolean,
  opts: { history?: boolean; max?: number } = {},
) {
  const dir = tempDir();
  dirs.push(dir);
  const src = await openSource(`oci-dir://${writeOciLayout(dir, [{ image: buildImage({ layers }) }])}`);
  const first = src.description.kind === 'image' ? src.description.image.layers[0]! : undefined;
  const c = new CatalogCollector(
    [{ id: 't', match, ...(opts.history ? { history: true } : {}) }],
    first!,
    opts.max,
  );
  await src.walk(c);
  return c;
}

const text = (c: CatalogCollector, path: string): string | undefined =>
  c.tree.resolve(path)?.content?.toString();

describe('final filesystem', () => {
  it('applies whiteouts to lower layers only and keeps the layer that wrote each file', async () => {
    const c = await collect(
      [
        {
          entries: [
            { name: 'a/keep', content: '1' },
            { name: 'a/gone', content: '1' },
            { name: 'a/dir/x', content: '1' },
          ],
        },
        {
          entries: [
            { name: 'a/.wh.gone', content: '' },
            { name: 'a/.wh.dir', content: '' },
            { name: 'a/keep', content: '2' },
          ],
        },
        { entries: [{ name: 'a/gone', content: '3' }] },
      ],
      () => true,
    );
    expect(text(c, '/a/keep')).toBe('2');
    expect(c.tree.lookup('/a/keep')?.layer.index).toBe(1);
    expect(text(c, '/a/gone')).toBe('3');
    expect(c.tree.lookup('/a/dir')).toBeUndefined();
  });

  it('hides lower-layer content of opaque directories but keeps same-layer entries in any order', async () => {
    const c = await collect(
      [
        {
          entries: [
            { name: 'd/old', content: 'o' },
            { name: 'd/sub/older', content: 'o' },
          ],
        },
        {
          entries: [
            { name: 'd/new', content: 'n' },
            { name: 'd/.wh..wh..opq', content: '' },
            { name: 'd/after', content: 'a' },
          ],
        },
      ],
      () => true,
    );
    const names = [...c.tree.walk()].map((n) => n.header.path).filter((p) => p.startsWith('/d/'));
    expect(names).toEqual(['/d/after', '/d/new']);
  });

  it('resolves absolute and relative symlinks inside the root and survives loops', async () => {
    const c = await collect(
      [
        {
          entries: [
            { name: 'usr/lib/os-release', content: 'ID=debian' },
            { name: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release' },
            { name: 'etc/abs', type: 'symlink', target: '/usr/lib/os-release' },
            { name: 'etc/escape', type: 'symlink', target: '../../../../usr/lib/os-release' },
            { name: 'lib', type: 'symlink', target: 'usr/lib' },
            { name: 'loop1', type: 'symlink', target: 'loop2' },
            { name: 'loop2', type: 'symlink', target: '/loop1' },
          ],
        },
      ],
      (p) => p.endsWith('os-release'),
    );
    expect(text(c, '/etc/os-release')).toBe('ID=debian');
    expect(text(c, '/etc/abs')).toBe('ID=debian');
    expect(text(c, '/etc/escape')).toBe('ID=debian');
    expect(text(c, '/lib/os-release')).toBe('ID=debian');
    expect(c.tree.resolve('/loop1')).toBeUndefined();
    expect(c.tree.resolve('/loop1/x')).toBeUndefined();
  });

  it('gives hard links the content of their target', async () => {
    const c = await collect(
      [
        {
          entries: [
            { name: 'bin/real', content: 'bytes' },
            { name: 'bin/alias', type: 'hardlink', target: 'bin/real' },
          ],
        },
      ],
      (p) => p.startsWith('/bin/'),
    );
    expect(text(c, '/bin/alias')).toBe('bytes');
  });

  it('buffers only requested files, reports files over the cap, and keeps history since the last deletion', async () => {
    const c = await collect(
      [
        {
          entries: [
            { name: 'db', content: 'v1' },
            { name: 'big', content: 'x'.repeat(100) },
            { name: 'other', content: 'x' },
          ],
        },
        { entries: [{ name: '.wh.db', content: '' }] },
        { entries: [{ name: 'db', content: 'v3' }] },
        { entries: [{ name: 'db', content: 'v4' }] },
      ],
      (p) => p === '/db' || p === '/big',
      { history: true, max: 10 },
    );
    expect(c.tree.lookup('/other')?.content).toBeUndefined();
    expect(c.tree.lookup('/db')?.history?.map((v) => `${v.layer?.index}:${v.content.toString()}`)).toEqual([
      '2:v3',
      '3:v4',
    ]);
    expect(c.unknowns.map((u) => u.reason)).toEqual([
      'skipped: 100 bytes exceeds the 10-byte per-file limit',
    ]);
    expect([...c.matched[0]!].sort()).toEqual(['/big', '/db']);
  });
});

describe('content markers', () => {
  const layer = { index: 0, digest: 'sha256:0', diffId: 'sha256:0', mediaType: '', size: 0 };
  const feed = (c: CatalogCollector, path: string, chunks: string[]) => {
    const size = chunks.reduce((n, x) => n + x.length, 0);
    const sink = c.entry(layer, { path, type: 'file', size, mode: 0o755, uid: 0, gid: 0 });
    for (const ch of chunks) sink?.write(Buffer.from(ch, 'latin1'));
    sink?.end();
  };

  it('keeps a matched file only when it contains a marker, also across chunk boundaries', () => {
    const c = new CatalogCollector(
      [
        {
          id: 'go',
          match: (p) => p.startsWith('/bin/'),
          contentMarkers: [Buffer.from('\xff Go buildinf:', 'latin1')],
        },
      ],
      layer,
    );
    feed(c, '/bin/plain', ['\x7fELF', 'no marker here']);
    feed(c, '/bin/go', ['\x7fELF....\xff Go bu', 'ildinf:\x08\x02']);
    feed(c, '/bin/tiny', ['\xff Go', ' build', 'inf:']);
    expect(c.tree.lookup('/bin/plain')?.content).toBeUndefined();
    expect(c.tree.lookup('/bin/go')?.content?.toString('latin1')).toContain('Go buildinf:');
    expect(c.tree.lookup('/bin/tiny')?.content).toBeDefined();
  });

  it('keeps the file when another request matching the same path has no markers', () => {
    const c = new CatalogCollector(
      [
        { id: 'go', match: (p) => p.startsWith('/bin/'), contentMarkers: [Buffer.from('MARK')] },
        { id: 'all', match: () => true },
      ],
      layer,
    );
    feed(c, '/bin/plain', ['nothing']);
    expect(c.tree.lookup('/bin/plain')?.content?.toString()).toBe('nothing');
  });
});

describe('hard links to dropped files', () => {
  it('stays silent when the target was dropped for lack of a marker, and reports a target never kept', async () => {
    const layer = { index: 0, digest: 'sha256:0', diffId: 'sha256:0', mediaType: '', size: 0 };
    const c = new CatalogCollector(
      [{ id: 'go', match: (p) => p.startsWith('/bin/'), contentMarkers: [Buffer.from('MARK')] }],
      layer,
    );
    const file = (path: string, body: string) => {
      const sink = c.entry(layer, { path, type: 'file', size: body.length, mode: 0o755, uid: 0, gid: 0 });
      sink?.write(Buffer.from(body));
      sink?.end();
    };
    file('/bin/perl', 'ELF without marker');
    c.entry(layer, {
      path: '/bin/perl5',
      type: 'hardlink',
      size: 0,
      mode: 0o755,
      uid: 0,
      gid: 0,
      linkTarget: '/bin/perl',
    });
    file('/usr/lib/real', 'not offered to anyone');
    c.entry(layer, {
      path: '/bin/alias',
      type: 'hardlink',
      size: 0,
      mode: 0o755,
      uid: 0,
      gid: 0,
      linkTarget: '/usr/lib/real',
    });
    expect(c.unknowns.map((u) => u.path)).toEqual(['/bin/alias']);
  });
});
