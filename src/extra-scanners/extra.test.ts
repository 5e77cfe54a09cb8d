/**
 * The extra scanners share the catalog's single pass: on the real `secrets-in-history` image, one walk
 * reads each layer once for all consumers, a warm per-layer catalog cache still lets the secret and
 * config scanners read every layer, and the catalog's replay gives the same SBOM as the cold run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerCache } from '../cache/layer-cache.js';
import { catalogSource } from '../catalog/run.js';
import { DEFAULT_LINT_CONFIG } from '../lint/config.js';
import { SecretEngine } from '../secrets/engine.js';
import { openSource } from '../source/open.js';
import type { LayerVisitor, Source } from '../source/types.js';
import { imagePath } from '../test-support/images.js';
import { createImageScanners, redactHistoryText } from './extra.js';
import { ratingOf } from './types.js';
import { prerequisite } from '../test-support/require.js';

const IMAGE = imagePath('secrets-in-history', 'oci');
const haveImage = prerequisite(
  existsSync(IMAGE),
  `single-pass scanner tests: ${IMAGE} is missing (see src/test-support/images.ts).`,
);

interface Counts {
  walks: number;
  /** layerStart answered without 'skip': the source reads the layer. */
  read: number[];
  skipped: number[];
  /** Layers whose entries reached the visitors (must be exactly the read ones). */
  delivered: Set<number>;
}

/** The source with its walks and layer reads counted at the boundary between source and visitors. */
function counting(source: Source): { source: Source; counts: Counts } {
  const counts: Counts = { walks: 0, read: [], skipped: [], delivered: new Set() };
  return {
    counts,
    source: {
      description: source.description,
      close: () => source.close(),
      walk(visitor, options) {
        counts.walks++;
        const wrapped: LayerVisitor = {
          layerStart(layer) {
            const answer = visitor.layerStart?.(layer);
            (answer === 'skip' ? counts.skipped : counts.read).push(layer.index);
            return answer;
          },
          entry(layer, header) {
            counts.delivered.add(layer.index);
            return visitor.entry(layer, header);
          },
          layerEnd: (layer) => visitor.layerEnd?.(layer),
          problem: (p) => visitor.problem?.(p),
        };
        return source.walk(wrapped, options);
      },
    },
  };
}

const work = mkdtempSync(join(tmpdir(), 'bulwark-single-pass-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(cacheDir: string, withExtras: boolean) {
  const opened = await openSource(IMAGE);
  const { source, counts } = counting(opened);
  try {
    if (source.description.kind !== 'image') throw new Error('not an image');
    const layers = source.description.image.layers.length;
    const scanners = withExtras
      ? createImageScanners(source.description.image, {
          scanners: ['vuln', 'secret', 'config'],
          engine: new SecretEngine(),
          lintConfig: DEFAULT_LINT_CONFIG,
        })
      : undefined;
    const { sbom } = await catalogSource(source, {
      layerCache: new LayerCache(cacheDir),
      ...(scanners ? { visitors: scanners.visitors } : {}),
    });
    return { sbom, counts, layers, extra: scanners?.finish() };
  } finally {
    await source.close();
  }
}

describe.skipIf(!haveImage)('one pass for every scanner', () => {
  const cache = join(work, 'layers');

  it('cold: one walk, each layer read once, secrets and config findings from that walk', async () => {
    const cold = await run(cache, true);
    expect(cold.counts.walks).toBe(1);
    expect(cold.counts.read).toEqual([...Array(cold.layers).keys()]);
    expect(cold.counts.skipped).toEqual([]);
    const deleted = cold.extra!.secrets!.filter((f) => f.status === 'deleted').map((f) => f.path);
    expect(new Set(deleted)).toEqual(new Set(['/app/.env', '/app/id_rsa']));
    expect(cold.extra!.misconfigurations!.map((m) => m.ruleId)).toContain('image-root-user');
  });

  it('warm cache: the catalog alone reads nothing; with the extra scanners every layer is read once and the catalog replays', async () => {
    const cold = await run(join(work, 'reference'), false);
    const warmCatalogOnly = await run(cache, false);
    expect(warmCatalogOnly.counts.read).toEqual([]);
    expect(warmCatalogOnly.counts.delivered.size).toBe(0);

    const warm = await run(cache, true);
    expect(warm.counts.walks).toBe(1);
    expect(warm.counts.read).toEqual([...Array(warm.layers).keys()]);
    expect([...warm.counts.delivered].sort()).toEqual(warm.counts.read);
    // The replayed catalog is the cold one: same packages, same unknowns (nothing reported twice).
    expect(warm.sbom.packages).toEqual(cold.sbom.packages);
    expect(warm.sbom.unknowns).toEqual(cold.sbom.unknowns);
    const deleted = warm.extra!.secrets!.filter((f) => f.status === 'deleted');
    expect(deleted.every((f) => f.removedIn!.index === 2)).toBe(true);
    expect(deleted.length).toBeGreaterThanOrEqual(3);
  });
});

describe('shared severity scale and history redaction', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['info', 'negligible'],
  ] as const)('%s → %s', (from, to) => {
    expect(ratingOf(from)).toBe(to);
  });

  it('masks secret build arguments and drops ENV values from layer history', () => {
    const value = ['s3cr3t', 'value', '42'].join('-');
    const masked = redactHistoryText(`RUN |2 NPM_TOKEN=${value} V=1 /bin/sh -c npm ci # buildkit`);
    expect(masked).toMatch(
      /^RUN \|2 NPM_TOKEN=s3c…\(15 chars, fp [0-9a-f]{16}\) V=1 \/bin\/sh -c npm ci # buildkit$/,
    );
    expect(redactHistoryText(`/bin/sh -c #(nop)  ENV TOKEN=${value}`)).not.toContain(value);
    expect(redactHistoryText('COPY . /app # buildkit')).toBe('COPY . /app # buildkit');
  });
});
