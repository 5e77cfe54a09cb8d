/**
 * Test fixtures built by the tests themselves: real tar bytes (ustar + PAX), and real image layouts
 * (OCI layout folder, OCI archive, docker-archive) assembled from layer specs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prerequisite } from '../../test-support/require.js';

export type TarSpec =
  | { name: string; type?: 'file'; content: string | Buffer; mode?: number }
  | { name: string; type: 'dir'; mode?: number }
  | { name: string; type: 'symlink' | 'hardlink'; target: string }
  | { name: string; type: 'raw-header'; typeflag: string };

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

function header(name: string, size: number, typeflag: string, mode: number, linkName = ''): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write(octal(mode, 8), 100, 'ascii');
  b.write(octal(0, 8), 108, 'ascii');
  b.write(octal(0, 8), 116, 'ascii');
  b.write(octal(size, 12), 124, 'ascii');
  b.write(octal(1_700_000_000, 12), 136, 'ascii');
  b.write('        ', 148, 'ascii');
  b.write(typeflag, 156, 'ascii');
  b.write(linkName, 157, 100, 'utf8');
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  b.write(octal(sum, 7).slice(0, 6) + '\0 ', 148, 'ascii');
  return b;
}

function pad(n: number): Buffer {
  return Buffer.alloc((512 - (n % 512)) % 512);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

/** Build a tar archive. Names longer than 100 bytes get a PAX `path` record. */
export function makeTar(entries: readonly TarSpec[], options: { endMarker?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    let name = e.name;
    if (Buffer.byteLength(name) > 99) {
      const pax = Buffer.from(paxRecord('path', name));
      parts.push(header('PaxHeader', pax.length, 'x', 0o644), pax, pad(pax.length));
      name = name.slice(0, 99);
    }
    if (e.type === 'dir') parts.push(header(name.endsWith('/') ? name : `${name}/`, 0, '5', e.mode ?? 0o755));
    else if (e.type === 'symlink' || e.type === 'hardlink')
      parts.push(header(name, 0, e.type === 'symlink' ? '2' : '1', 0o777, e.target));
    else if (e.type === 'raw-header') parts.push(header(name, 0, e.typeflag, 0o644));
    else if ('content' in e) {
      const data = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
      parts.push(header(name, data.length, '0', e.mode ?? 0o644), data, pad(data.length));
    }
  }
  if (options.endMarker !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export type Compression = 'none' | 'gzip' | 'zstd';

export function compress(tar: Buffer, how: Compression): Buffer {
  if (how === 'gzip') return gzipSync(tar);
  if (how === 'zstd') return execFileSync('zstd', ['-q', '-c', '-'], { input: tar });
  return tar;
}

/** True when the zstd tool is installed; skips loudly otherwise (fails under `BULWARK_REQUIRE_IMAGES=1`). */
export function hasZstd(): boolean {
  let ok = true;
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
  } catch {
    ok = false;
  }
  return prerequisite(ok, 'zstd layer tests: zstd is not installed (apt-get install -y zstd)');
}

export interface LayerSpec {
  entries: TarSpec[];
  createdBy?: string;
  compression?: Compression;
  /** Replace the stored blob (after digests were computed) to simulate corruption. */
  corrupt?: (blob: Buffer) => Buffer;
}

export interface ImageSpec {
  layers: LayerSpec[];
  architecture?: string;
  env?: string[];
  user?: string;
  labels?: Record<string, string>;
  /** Extra history entries with empty_layer, inserted first. */
  emptyHistory?: string[];
}

interface Built {
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  blobs: Map<string, Buffer>;
  layers: { tar: Buffer; blob: Buffer; digest: string; diffId: string }[];
}

const mediaTypes: Record<Compression, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

export function buildImage(spec: ImageSpec): Built {
  const blobs = new Map<string, Buffer>();
  const layers = spec.layers.map((l) => {
    const tar = makeTar(l.entries);
    const stored = compress(tar, l.compression ?? 'gzip');
    const digest = sha(stored);
    const blob = l.corrupt ? l.corrupt(stored) : stored;
    blobs.set(digest, blob);
    return {
      tar,
      blob,
      digest,
      diffId: sha(tar),
      mediaType: mediaTypes[l.compression ?? 'gzip'],
      size: stored.length,
    };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: {
        Env: spec.env ?? ['PATH=/usr/bin'],
        ...(spec.user !== undefined ? { User: spec.user } : {}),
        ...(spec.labels ? { Labels: spec.labels } : {}),
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: [
        ...(spec.emptyHistory ?? []).map((c) => ({ created_by: c, empty_layer: true })),
        ...spec.layers.map((l, i) => ({ created_by: l.createdBy ?? `layer ${i}` })),
      ],
    }),
  );
  const configDigest = sha(config);
  blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = sha(manifest);
  blobs.set(manifestDigest, manifest);
  return { config, configDigest, manifest, manifestDigest, blobs, layers };
}

export function tempDir(prefix = 'bulwark-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write an OCI layout folder holding one or more images (each tagged). */
export function writeOciLayout(
  dir: string,
  images: { image: Built; tag?: string; platform?: { os: string; architecture: string } }[],
  asIndex = false,
): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const { image } of images) {
    for (const [d, b] of image.blobs) writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
  }
  const descriptors = images.map(({ image, tag, platform }) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: image.manifestDigest,
    size: image.manifest.length,
    ...(platform ? { platform } : {}),
    ...(tag ? { annotations: { 'org.opencontainers.image.ref.name': tag } } : {}),
  }));
  if (asIndex) {
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: descriptors,
      }),
    );
    const d = sha(idx);
    writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), idx);
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: d,
            size: idx.length,
            annotations: { 'org.opencontainers.image.ref.name': 'latest' },
          },
        ],
      }),
    );
  } else {
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: descriptors }));
  }
  return dir;
}

/** Write a docker-archive (as `docker save` / skopeo write it) holding the given images. */
export function dockerArchive(images: { image: Built; tags: string[] }[]): Buffer {
  const entries: TarSpec[] = [];
  const manifest = images.map(({ image, tags }) => {
    const layerPaths = image.layers.map((l) => `${l.diffId.slice(7)}/layer.tar`);
    return { Config: `${image.configDigest.slice(7)}.json`, RepoTags: tags, Layers: layerPaths };
  });
  const seen = new Set<string>();
  for (const { image } of images) {
    for (const l of image.layers) {
      const p = `${l.diffId.slice(7)}/layer.tar`;
      if (seen.has(p)) continue;
      seen.add(p);
      entries.push({ name: p, content: l.tar });
    }
    entries.push({ name: `${image.configDigest.slice(7)}.json`, content: image.config });
  }
  entries.push({ name: 'manifest.json', content: JSON.stringify(manifest) });
  return makeTar(entries);
}

/** A tarred OCI layout (oci-archive). */
export function ociArchive(images: { image: Built; tag?: string }[]): Buffer {
  const entries: TarSpec[] = [
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
  ];
  for (const { image } of images)
    for (const [d, b] of image.blobs) entries.push({ name: `blobs/sha256/${d.slice(7)}`, content: b });
  entries.push({
    name: 'index.json',
    content: JSON.stringify({
      schemaVersion: 2,
      manifests: images.map(({ image, tag }) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.manifestDigest,
        size: image.manifest.length,
        ...(tag ? { annotations: { 'org.opencontainers.image.ref.name': tag } } : {}),
      })),
    }),
  });
  return makeTar(entries);
}
