/**
 * The recorder in front of the catalog collector keeps a copy of a layer's kept files only while the
 * record can still be stored: past the cache's record limit it lets go of the copy at once, the
 * collector still gets every byte, and nothing is written.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogCollector } from '../catalog/collector.js';
import { tempDir } from '../source/test-support/build.js';
import type { EntryHeader, LayerRef } from '../source/types.js';
import { CachingCollector } from './caching-collector.js';
import { LayerCache } from './layer-cache.js';

const layer: LayerRef = {
  index: 0,
  digest: 'sha256:' + 'a'.repeat(64),
  diffId: 'sha256:' + 'b'.repeat(64),
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  size: 1,
};
const file = (path: string, size: number): EntryHeader => ({
  path,
  type: 'file',
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
});

function run(limit: number, files: number, chunk: number, chunks: number) {
  const collector = new CatalogCollector([{ id: 'jar', match: (p) => p.endsWith('.jar') }], layer);
  const cache = new LayerCache(join(tempDir(), 'layers'));
  const recorder = new CachingCollector(collector, cache, 'k', undefined, limit);
  const held: number[] = [];
  expect(recorder.layerStart(layer, { reusable: true })).toBeUndefined();
  for (let f = 0; f < files; f++) {
    const sink = recorder.entry(layer, file(`/lib/${f}.jar`, chunk * chunks))!;
    for (let c = 0; c < chunks; c++) {
      sink.write(Buffer.alloc(chunk, f));
      held.push(recorder.recordingBytes);
    }
    sink.end();
  }
  recorder.layerEnd(layer);
  return { collector, cache, held };
}

describe('layer-cache recorder', () => {
  it('stops copying once the record outgrows the limit, writes nothing, loses nothing', () => {
    const { collector, cache, held } = run(1024 * 1024, 6, 64 * 1024, 4); // 1.5 MiB against 1 MiB
    expect(held.slice(0, 10).reduce((a, b) => (b > a ? b : a), 0)).toBeLessThanOrEqual(1024 * 1024);
    expect(held.at(-1)).toBe(0); // the copy was dropped, not carried to the end of the layer
    expect(cache.stats.writes).toBe(0);
    expect(cache.read(layer.diffId, 'k')).toBeUndefined();
    for (let f = 0; f < 6; f++) {
      const node = collector.tree.lookup(`/lib/${f}.jar`)!;
      expect(node.content!.length).toBe(256 * 1024);
      expect(node.content!.every((b) => b === f)).toBe(true);
    }
  });

  it('a record under the limit is written and replays the same bytes', () => {
    const { cache } = run(1024 * 1024, 2, 64 * 1024, 2);
    expect(cache.stats.writes).toBe(1);
    const rec = cache.read(layer.diffId, 'k')!;
    expect(rec.contents.map((c) => c.length)).toEqual([128 * 1024, 128 * 1024]);
  });
});

describe('layer-cache recorder and content markers', () => {
  const marker = Buffer.from('\xff Go buildinf:', 'latin1');
  const request = {
    id: 'go-binary',
    match: (p: string) => p.startsWith('/usr/bin/'),
    contentMarkers: [marker],
  };

  function record(cache: LayerCache) {
    const collector = new CatalogCollector([request], layer);
    const recorder = new CachingCollector(collector, cache, 'k');
    recorder.layerStart(layer, { reusable: true });
    const put = (path: string, bytes: Buffer) => {
      const sink = recorder.entry(layer, file(path, bytes.length))!;
      sink.write(bytes.subarray(0, 5));
      sink.write(bytes.subarray(5));
      sink.end();
    };
    put('/usr/bin/perl', Buffer.alloc(300_000, 7)); // no marker: the collector drops it
    put('/usr/bin/tool', Buffer.concat([Buffer.alloc(1000, 1), marker, Buffer.alloc(1000, 2)]));
    recorder.layerEnd(layer);
    return collector;
  }

  it('stores the entry but not the bytes of a file the collector discarded, and replays the same tree', () => {
    const cache = new LayerCache(join(tempDir(), 'layers'));
    const live = record(cache);
    const rec = cache.read(layer.diffId, 'k')!;
    expect(rec.contents.map((c) => c.length)).toEqual([2000 + marker.length]);
    expect(rec.entries.map((e) => [e.header.path, e.content])).toEqual([
      ['/usr/bin/perl', -1],
      ['/usr/bin/tool', 0],
    ]);

    const replayed = new CatalogCollector([request], layer);
    const again = new CachingCollector(replayed, cache, 'k');
    expect(again.layerStart(layer, { reusable: true })).toBe('skip');
    for (const path of ['/usr/bin/perl', '/usr/bin/tool']) {
      expect(replayed.tree.lookup(path)?.header).toEqual(live.tree.lookup(path)?.header);
      expect(replayed.tree.lookup(path)?.content).toEqual(live.tree.lookup(path)?.content);
    }
    expect(replayed.tree.lookup('/usr/bin/perl')?.content).toBeUndefined();
    expect([...replayed.matched[0]!].sort()).toEqual([...live.matched[0]!].sort());
  });
});
