/**
 * Assembling real OCI image layouts in tests from the layers of the shared test images: new gzip
 * layers made with GNU tar (a changed file, or a layer with members deleted), configs whose diff IDs
 * and history match, manifests with correct digests and sizes, optional manifest annotations.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface LayoutImage {
  readonly dir: string;
  readonly manifestDigest: string;
  readonly manifest: {
    config: { mediaType: string; digest: string; size: number };
    layers: { mediaType: string; digest: string; size: number }[];
    annotations?: Record<string, string>;
  };
  readonly config: {
    rootfs: { type: string; diff_ids: string[] };
    history?: { created?: string; created_by?: string; empty_layer?: boolean }[];
    [k: string]: unknown;
  };
}

export const blobPath = (dir: string, digest: string): string =>
  join(dir, 'blobs', 'sha256', digest.slice(7));

/** Read the single image of an OCI layout. */
export function readLayout(dir: string): LayoutImage {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifestDigest = index.manifests[0]!.digest;
  const manifest = JSON.parse(readFileSync(blobPath(dir, manifestDigest), 'utf8')) as LayoutImage['manifest'];
  const config = JSON.parse(
    readFileSync(blobPath(dir, manifest.config.digest), 'utf8'),
  ) as LayoutImage['config'];
  return { dir, manifestDigest, manifest, config };
}

/** A layer: its gzip blob on disk (or in memory), digest, diff ID and history line. */
export interface LayerSpec {
  readonly file?: string;
  readonly bytes?: Buffer;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
  readonly createdBy: string;
}

/** The layers of an existing layout, with their history lines. */
export function layersOf(img: LayoutImage): LayerSpec[] {
  const history = (img.config.history ?? []).filter((h) => !h.empty_layer);
  return img.manifest.layers.map((l, i) => ({
    file: blobPath(img.dir, l.digest),
    digest: l.digest,
    diffId: img.config.rootfs.diff_ids[i]!,
    size: l.size,
    createdBy: history[i]?.created_by ?? '',
  }));
}

/** A gzip layer from an uncompressed tar. */
export function gzipLayer(tar: Buffer, createdBy: string): LayerSpec {
  const gz = gzipSync(tar, { level: 6 });
  return { bytes: gz, digest: sha256(gz), diffId: sha256(tar), size: gz.length, createdBy };
}

/** A tar (GNU tar, root-owned) of the files `{ 'var/lib/dpkg/status': text }`, built in `work`. */
export function tarOfFiles(work: string, files: Record<string, string | Buffer>): Buffer {
  mkdirSync(work, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  const out = join(work, '..', `${work.split('/').pop()}.tar`);
  execFileSync('tar', [
    '-C',
    work,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@1700000000',
    '-cf',
    out,
    ...Object.keys(files).sort(),
  ]);
  return readFileSync(out);
}

/**
 * A copy of a gzip layer with some members deleted and some files replaced (GNU tar `--delete` and
 * `--append` on the uncompressed tar). Members not in the layer are ignored.
 */
export function editLayer(
  layer: LayerSpec,
  work: string,
  edit: { remove: readonly string[]; replace: Record<string, string> },
  createdBy: string,
): LayerSpec {
  mkdirSync(work, { recursive: true });
  const tarFile = join(work, 'layer.tar');
  writeFileSync(tarFile, gunzipSync(layer.bytes ?? readFileSync(layer.file!)));
  const members = new Set(
    execFileSync('tar', ['-tf', tarFile], { maxBuffer: 64 * 1024 * 1024 })
      .toString()
      .split('\n'),
  );
  const drop = [...new Set([...edit.remove, ...Object.keys(edit.replace)])].filter((m) => members.has(m));
  // Batches keep the command line short.
  for (let i = 0; i < drop.length; i += 200)
    execFileSync('tar', ['--delete', '-f', tarFile, ...drop.slice(i, i + 200)]);
  const files = join(work, 'files');
  for (const [path, content] of Object.entries(edit.replace)) {
    mkdirSync(dirname(join(files, path)), { recursive: true });
    writeFileSync(join(files, path), content);
  }
  if (Object.keys(edit.replace).length > 0)
    execFileSync('tar', [
      '-C',
      files,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@1700000000',
      '-rf',
      tarFile,
      ...Object.keys(edit.replace).sort(),
    ]);
  return gzipLayer(readFileSync(tarFile), createdBy);
}

/**
 * Write an OCI layout of one image (tag `latest`) made of `layers`, with the base config's other
 * fields, the history rebuilt from the layers, and optional manifest annotations.
 */
export function writeLayout(
  dir: string,
  base: LayoutImage,
  layers: readonly LayerSpec[],
  annotations?: Record<string, string>,
  created = '2026-01-01T00:00:00Z',
): LayoutImage {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const digest = sha256(bytes);
    writeFileSync(blobPath(dir, digest), bytes);
    return { digest, size: bytes.length };
  };
  for (const l of layers) {
    if (l.bytes) writeFileSync(blobPath(dir, l.digest), l.bytes);
    else copyFileSync(l.file!, blobPath(dir, l.digest));
    if (statSync(blobPath(dir, l.digest)).size !== l.size)
      throw new Error(`layer ${l.digest}: size mismatch`);
  }
  const config = {
    ...base.config,
    created,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created, created_by: l.createdBy })),
  };
  const c = put(Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...c },
    layers: layers.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: l.digest,
      size: l.size,
    })),
    ...(annotations ? { annotations } : {}),
  };
  const m = put(Buffer.from(JSON.stringify(manifest)));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...m,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return readLayout(dir);
}

/** The dpkg status file with some stanzas changed: versions set, packages removed. */
export function editStatus(
  status: string,
  change: { versions?: Record<string, string>; remove?: readonly string[] },
): string {
  const stanzas = status.split(/\n\n+/).filter((s) => s.trim() !== '');
  const out: string[] = [];
  for (const s of stanzas) {
    const name = /^Package: (.+)$/m.exec(s)?.[1]?.trim();
    if (name && change.remove?.includes(name)) continue;
    const v = name ? change.versions?.[name] : undefined;
    out.push(v ? s.replace(/^Version: .+$/m, `Version: ${v}`) : s);
  }
  return `${out.join('\n\n')}\n`;
}

/** One file of a gzip layer (GNU tar `-xO`). */
export function fileOfLayer(layer: LayerSpec, path: string): string {
  const gz = layer.bytes ?? readFileSync(layer.file!);
  return execFileSync('tar', ['-xzOf', '-', path], { input: gz, maxBuffer: 64 * 1024 * 1024 }).toString(
    'utf8',
  );
}
