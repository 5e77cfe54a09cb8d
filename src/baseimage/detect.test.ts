import { describe, expect, it } from 'vitest';
import { KnownBaseList, type KnownBase } from '../model/base-image.js';
import type { ImageMetadata } from '../source/types.js';
import { detectBaseImage, dockerfileBase, matchLayerPrefix } from './detect.js';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

function image(diffIds: number[], extra: Partial<ImageMetadata> = {}): ImageMetadata {
  return {
    format: 'oci-layout',
    repoTags: [],
    repoDigests: [],
    manifestDigest: d(999),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    configDigest: d(998),
    platform: { os: 'linux', architecture: 'amd64' },
    config: { env: [], labels: {}, exposedPorts: [], volumes: [] },
    history: [],
    layers: diffIds.map((n, index) => ({ index, digest: d(n + 500), diffId: d(n), mediaType: '', size: 1 })),
    ...extra,
  };
}

const base = (name: string, diffIds: number[], origin: KnownBase['origin'], digest?: number): KnownBase => ({
  name,
  diffIds: diffIds.map(d),
  origin,
  ...(digest !== undefined ? { digest: d(digest) } : {}),
});

describe('base image by layer prefix', () => {
  const known = new KnownBaseList([
    base('debian:12', [1], 'scanned', 100),
    base('app:1', [1, 2], 'scanned', 101),
    base('other:1', [7, 8], 'scanned', 102),
  ]);

  it('keeps the longest known image whose layers start the image', () => {
    expect(detectBaseImage(image([1, 2, 3]), { knownBases: known })).toEqual({
      name: 'app:1',
      digest: d(101),
      layers: 2,
      detectedBy: 'layers',
      confidence: 'high',
      knownFrom: 'scanned',
      evidence: 'layers 0-1 are app:1 (scanned before)',
    });
    expect(detectBaseImage(image([1, 5]), { knownBases: known })?.name).toBe('debian:12');
  });

  it('never takes an image as its own base, except an approved catalogue entry', () => {
    expect(detectBaseImage(image([1, 2]), { knownBases: known })?.name).toBe('debian:12');
    expect(detectBaseImage(image([1]), { knownBases: known })).toBeUndefined();
    const cat = new KnownBaseList([{ ...base('debian:12', [1], 'catalogue'), approved: true }]);
    expect(detectBaseImage(image([1]), { knownBases: cat })).toMatchObject({
      layers: 1,
      knownFrom: 'catalogue',
      approved: true,
    });
  });

  it('prefers the catalogue among images with the same layers, then the name other evidence gives', () => {
    const k = new KnownBaseList([
      base('zz:1', [1], 'scanned'),
      base('mirror/debian:12', [1], 'catalogue'),
      base('aa:1', [1], 'scanned'),
    ]);
    expect(matchLayerPrefix(image([1, 2]), k)?.name).toBe('mirror/debian:12');
    const s = new KnownBaseList([base('zz:1', [1], 'scanned'), base('aa:1', [1], 'scanned')]);
    expect(matchLayerPrefix(image([1, 2]), s)?.name).toBe('aa:1');
    expect(matchLayerPrefix(image([1, 2]), s, 'docker.io/library/zz:1')?.name).toBe('zz:1');
  });

  it('finds nothing when a layer differs', () => {
    expect(detectBaseImage(image([2, 1]), { knownBases: known })).toBeUndefined();
    expect(detectBaseImage(image([7, 9]), { knownBases: known })).toBeUndefined();
  });
});

describe('base image by annotation or label', () => {
  const annotations = {
    'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
    'org.opencontainers.image.base.digest': d(100),
  };
  it('takes name and digest from the manifest annotations; layers when a known image confirms them', () => {
    expect(detectBaseImage(image([1, 2], { annotations }))).toEqual({
      name: 'docker.io/library/debian:12',
      digest: d(100),
      layers: 0,
      detectedBy: 'annotation',
      confidence: 'high',
      evidence: 'manifest annotation org.opencontainers.image.base.name',
    });
    const known = new KnownBaseList([base('debian:12', [1], 'scanned', 100)]);
    expect(detectBaseImage(image([1, 2], { annotations }), { knownBases: known })).toMatchObject({
      layers: 1,
      detectedBy: 'annotation',
      knownFrom: 'scanned',
    });
    // A known image with other layers does not confirm the annotation's digest.
    const wrong = new KnownBaseList([base('debian:12', [5], 'scanned', 100)]);
    expect(detectBaseImage(image([1, 2], { annotations }), { knownBases: wrong })?.layers).toBe(0);
  });

  it('reads the same keys from config labels, a name alone being medium', () => {
    const img = image([1, 2], {
      config: {
        env: [],
        labels: { 'org.opencontainers.image.base.name': 'debian:12' },
        exposedPorts: [],
        volumes: [],
      },
    });
    expect(detectBaseImage(img)).toMatchObject({
      name: 'debian:12',
      detectedBy: 'label',
      confidence: 'medium',
    });
    const known = new KnownBaseList([base('docker.io/library/debian:12', [1], 'pulled')]);
    expect(detectBaseImage(img, { knownBases: known })).toMatchObject({ layers: 1, confidence: 'high' });
  });
});

describe('base image from the Dockerfile', () => {
  it('follows the final stage back through stage names, with ARG defaults substituted', () => {
    const text = [
      'ARG DEBIAN=12',
      'ARG FLAVOUR',
      'FROM golang:1.22 AS build',
      'RUN go build ./...',
      'FROM debian:${DEBIAN}-slim AS runtime',
      'FROM runtime AS final',
      'COPY --from=build /out /app',
      '',
    ].join('\n');
    expect(dockerfileBase(text)).toEqual({ reference: 'debian:12-slim', unresolved: false, line: 5 });
    expect(detectBaseImage(image([1, 2]), { dockerfile: { text, name: 'Dockerfile' } })).toEqual({
      name: 'debian:12-slim',
      layers: 0,
      detectedBy: 'dockerfile',
      confidence: 'medium',
      evidence: 'final FROM of Dockerfile (line 5)',
    });
    const unresolved = 'ARG TAG\nFROM debian:${TAG}\n';
    expect(detectBaseImage(image([1]), { dockerfile: { text: unresolved, name: 'D' } })).toMatchObject({
      name: 'debian:${TAG}',
      confidence: 'low',
    });
  });

  it('says nothing for FROM scratch, keeps a pinned digest, and lets a layer match win', () => {
    expect(detectBaseImage(image([1]), { dockerfile: { text: 'FROM scratch\nCOPY a /\n', name: 'D' } })).toBe(
      undefined,
    );
    const pinned = `FROM debian:12@${d(100)}\n`;
    expect(detectBaseImage(image([1]), { dockerfile: { text: pinned, name: 'D' } })).toMatchObject({
      name: 'debian:12',
      digest: d(100),
    });
    const known = new KnownBaseList([base('debian:12', [1], 'scanned', 100)]);
    expect(
      detectBaseImage(image([1, 2]), {
        knownBases: known,
        dockerfile: { text: 'FROM alpine:3\n', name: 'D' },
      }),
    ).toMatchObject({
      name: 'debian:12',
      detectedBy: 'layers',
      evidence: "layer 0 is debian:12 (scanned before); the Dockerfile's final FROM says alpine:3",
    });
  });
});
