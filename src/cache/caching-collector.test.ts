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
