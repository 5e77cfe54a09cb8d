/**
 * The per-layer cache over a real image: a warm re-scan streams no layer at all and gives the same SBOM;
 * a bumped cataloger version misses; a corrupt cache file is ignored and rewritten; a layer whose read
 * failed is never cached; folders are not cached.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OS_CATALOGERS } from '../catalog/registry/os.js';
import { catalogSource } from '../catalog/run.js';
import type { Cataloger } from '../catalog/types.js';
import { openSource } from '../source/open.js';
import type { LayerVisitor, Source } from '../source/types.js';
import { haveImages, imagePath } from '../test-support/images.js';
import { DEFAULT_MAX_FILE_SIZE } from '../catalog/collector.js';
import { CACHE_FORMAT, LayerCache, catalogerKey } from './layer-cache.js';

interface Counts {
  layersRead: number;
  layersSkipped: number;
  entries: number;
}

/** Wrap a source so the test sees what the walk really streamed. */
function counting(
  source: Source,
  counts: Counts,
  failAfterEntries?: { layer: number; after: number },
): Source {
  return {
    description: source.description,
    close: () => source.close(),
    walk: (visitor: LayerVisitor, options) =>
      source.walk(
        {
          layerStart(layer, info) {
            const a = visitor.layerStart?.(layer, info);
            if (a === 'skip') counts.layersSkipped++;
            else counts.layersRead++;
            return a;
          },
          entry(layer, header) {
            counts.entries++;
            if (failAfterEntries && layer.index === failAfterEntries.layer && --failAfterEntries.after < 0) {
              throw new Error('simulated read failure');
            }
            return visitor.entry(layer, header);
          },
          layerEnd: (layer) => visitor.layerEnd?.(layer),
          problem: (p) => visitor.problem?.(p),
        },
        options,
      ),
  };
}

const IMAGE = () => `oci-dir://${imagePath('debian12-node', 'oci')}`;

async function catalog(
  cache: LayerCache | undefined,
  catalogers: readonly Cataloger[] = OS_CATALOGERS,
  fail?: { layer: number; after: number },
) {
  const counts: Counts = { layersRead: 0, layersSkipped: 0, entries: 0 };
  const source = counting(await openSource(IMAGE()), counts, fail);
  try {
    const { sbom } = await catalogSource(source, { catalogers, ...(cache ? { layerCache: cache } : {}) });
    return { sbom, counts };
  } finally {
    await source.close();
  }
}

describe.skipIf(!haveImages())('per-layer cache', () => {
  let dir: string;
  /** A cache filled by one cold scan, copied into each test's own folder. */
  let seed: string;
  let first: Awaited<ReturnType<typeof catalog>>;
  let seedStats: LayerCache['stats'];
  beforeAll(async () => {
    seed = mkdtempSync(join(tmpdir(), 'bulwark-layer-seed-'));
    const cold = new LayerCache(seed);
    first = await catalog(cold);
    seedStats = { ...cold.stats };
  });
  afterAll(() => rmSync(seed, { recursive: true, force: true }));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-layer-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const warmDir = (): string => {
    cpSync(seed, dir, { recursive: true });
    return dir;
  };

  it('a warm re-scan skips every layer and gives the identical SBOM', async () => {
    const uncached = await catalog(undefined);
    const layers = first.counts.layersRead;
    expect(layers).toBeGreaterThan(1);
    expect(seedStats).toMatchObject({ hits: 0, misses: layers, writes: layers });
    const warmCache = new LayerCache(warmDir());
    const warm = await catalog(warmCache);
    expect(warm.counts).toEqual({ layersRead: 0, layersSkipped: layers, entries: 0 });
    expect(warmCache.stats.hits).toBe(layers);
    expect(JSON.stringify(warm.sbom)).toBe(JSON.stringify(first.sbom));
    expect(JSON.stringify(first.sbom)).toBe(JSON.stringify(uncached.sbom));
    expect(warm.sbom.packages.length).toBeGreaterThan(100);
  });

  it('misses after a cataloger version bump', async () => {
    warmDir();
    const bumped = OS_CATALOGERS.map((c, i) =>
      i === 0 ? { ...c, match: c.match.bind(c), catalog: c.catalog.bind(c), version: c.version + 1 } : c,
    );
    const cache = new LayerCache(dir);
    const again = await catalog(cache, bumped);
    expect(cache.stats.hits).toBe(0);
    expect(again.counts.layersSkipped).toBe(0);
    expect(again.counts.entries).toBeGreaterThan(0);
  });

  it('ignores and rewrites corrupt cache files', async () => {
    warmDir();
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.bwl'))
      .sort();
    expect(files.length).toBe(first.counts.layersRead);
    writeFileSync(join(dir, files[0]!), Buffer.from('BWLAYER\0garbage'));
    writeFileSync(join(dir, files[1]!), Buffer.alloc(0));
    const cache = new LayerCache(dir);
    const second = await catalog(cache);
    expect(cache.stats.corrupt).toBe(2);
    expect(cache.stats.writes).toBe(2);
    expect(second.counts.layersRead).toBe(2);
    expect(JSON.stringify(second.sbom)).toBe(JSON.stringify(first.sbom));
    // every file is valid again: each layer reads back under the scan's key
    const third = new LayerCache(dir);
    const key = catalogerKey(OS_CATALOGERS, DEFAULT_MAX_FILE_SIZE, 'distro');
    const layers = first.sbom.source.kind === 'image' ? first.sbom.source.image.layers : [];
    for (const l of layers) expect(third.read(l.diffId, key)?.entries.length).toBeGreaterThan(0);
    expect(third.stats).toMatchObject({ hits: layers.length, corrupt: 0 });
    expect(third.read(layers[0]!.diffId, 'another-key')).toBeUndefined();
  });

  it('never caches a layer whose read failed', async () => {
    const cache = new LayerCache(dir);
    await expect(catalog(cache, OS_CATALOGERS, { layer: 1, after: 5 })).rejects.toThrow(/simulated/);
    expect(cache.stats.writes).toBe(1); // layer 0 completed; layer 1 did not
    const next = new LayerCache(dir);
    const again = await catalog(next);
    expect(next.stats.hits).toBe(1);
    expect(again.counts.layersSkipped).toBe(1);
  });

  it('does not cache folders', async () => {
    const root = join(dir, 'rootfs');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'os-release'), 'ID=debian\nVERSION_ID="12"\n');
    const cache = new LayerCache(join(dir, 'cache'));
    const source = await openSource(`fs://${root}`);
    try {
      const { sbom } = await catalogSource(source, { layerCache: cache });
      expect(sbom.distro?.id).toBe('debian');
    } finally {
      await source.close();
    }
    expect(cache.stats).toEqual({ hits: 0, misses: 0, writes: 0, corrupt: 0 });
  });

  it('reports size and cleans up', () => {
    const cache = new LayerCache(warmDir());
    const s = cache.status();
    expect(s.files).toBeGreaterThan(1);
    expect(s.bytes).toBeGreaterThan(1000);
    expect(cache.clean().files).toBe(s.files);
    expect(cache.status()).toMatchObject({ files: 0, bytes: 0 });
  });

  it('evicts the oldest files beyond its size limit', () => {
    const small = new LayerCache(dir, { limitBytes: 2000 });
    const record = (n: number) => ({
      entries: [
        { header: { path: '/f', type: 'file' as const, size: n, mode: 0o644, uid: 0, gid: 0 }, content: 0 },
      ],
      contents: [Buffer.alloc(n, n % 251)],
      problems: [],
    });
    for (let i = 0; i < 5; i++) expect(small.write(`sha256:${i}`, 'k', record(1500 + i))).toBe(true);
    expect(small.status().bytes).toBeLessThanOrEqual(2000);
    expect(small.read('sha256:4', 'k')?.contents[0]?.length).toBe(1504);
    expect(CACHE_FORMAT).toBe(1);
  });
});
