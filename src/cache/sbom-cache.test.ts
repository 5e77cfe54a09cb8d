/** Whole-image SBOM cache: round trip, key checks, corruption, and no secrets written to disk. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogTarget, type CatalogTargetOptions } from '../engine/catalog.js';
import { sampleImageSbom, SECRET_VALUES } from '../sbom/format/test-support/sample-sbom.js';
import { openSource } from '../source/open.js';
import { haveImages, imagePath } from '../test-support/images.js';
import { SbomCache, imageKey } from './sbom-cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulwark-sbom-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SbomCache', () => {
  it('round-trips, and misses on another key or a damaged file', () => {
    const sbom = sampleImageSbom();
    const image = sbom.source.kind === 'image' ? sbom.source.image : undefined;
    const key = imageKey(image!, 'catalogers-a', '1.0.0');
    expect(imageKey(image!, 'catalogers-b', '1.0.0')).not.toBe(key);
    expect(imageKey({ ...image!, layers: image!.layers.slice(1) }, 'catalogers-a', '1.0.0')).not.toBe(key);
    const cache = new SbomCache(dir);
    expect(cache.read(key)).toBeUndefined();
    expect(cache.write(key, sbom)).toBe(true);
    expect(cache.read(key)).toEqual(JSON.parse(JSON.stringify(sbom)));
    const file = join(dir, `${key}.bws`);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5);
    writeFileSync(file, bytes);
    expect(cache.read(key)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.skipIf(!haveImages())('image scans through the caches', () => {
  const options = (): CatalogTargetOptions => ({ env: { BULWARK_CACHE_DIR: dir }, cwd: dir });
  it('a re-scan of the same image reads its SBOM back, and no env value reaches the cache', async () => {
    const target = `archive://${imagePath('secrets-in-history', 'docker.tar')}`;
    const first = await catalogTarget(target, options());
    const cached = readdirSync(join(dir, 'layers'));
    expect(cached.filter((f) => f.endsWith('.bws'))).toHaveLength(1);
    expect(cached.filter((f) => f.endsWith('.bwl')).length).toBeGreaterThan(0);
    // The SBOM that leaves catalogTarget is redacted already: read the token from the image itself.
    const source = await openSource(target);
    const env = source.description.kind === 'image' ? source.description.image.config.env : [];
    await source.close();
    const token = env.find((e) => e.startsWith('GITHUB_TOKEN='));
    expect(token).toMatch(/^GITHUB_TOKEN=ghp_/);
    expect(JSON.stringify(first.sbom)).not.toContain(token!.slice('GITHUB_TOKEN='.length));
    for (const f of cached) {
      const text = readFileSync(join(dir, 'layers', f)).toString('latin1');
      expect(text).not.toContain(token!.slice('GITHUB_TOKEN='.length));
      for (const s of SECRET_VALUES) expect(text).not.toContain(s);
    }
    const second = await catalogTarget(target, options());
    expect(second.cachedLayers).toBe(
      first.sbom.source.kind === 'image' ? first.sbom.source.image.layers.length : -1,
    );
    expect(JSON.stringify(second.sbom)).toBe(JSON.stringify(first.sbom));
    const noCache = await catalogTarget(target, { ...options(), cache: false });
    expect(JSON.stringify(noCache.sbom)).toBe(JSON.stringify(first.sbom));
  });
});
