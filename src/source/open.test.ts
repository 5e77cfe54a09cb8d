import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from './open.js';
import {
  buildImage,
  dockerArchive,
  hasZstd,
  makeTar,
  ociArchive,
  sha,
  tempDir,
  writeOciLayout,
  type ImageSpec,
} from './test-support/build.js';
import { failure } from './test-support/expect.js';
import type { EntryHeader, LayerRef, LayerVisitor, Source, SourceProblem } from './types.js';
import { haveImages, imagePath } from '../test-support/images.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

interface Recorded {
  entries: { layer: number; header: EntryHeader; content?: string }[];
  problems: SourceProblem[];
  layers: LayerRef[];
}

async function record(source: Source, wantContent = true): Promise<Recorded> {
  const out: Recorded = { entries: [], problems: [], layers: [] };
  const visitor: LayerVisitor = {
    layerStart: (l) => void out.layers.push(l),
    entry: (layer, header) => {
      const rec: Recorded['entries'][number] = { layer: layer.index, header };
      out.entries.push(rec);
      if (!wantContent || header.type !== 'file') return undefined;
      const chunks: Buffer[] = [];
      return {
        write: (c) => void chunks.push(Buffer.from(c)),
        end: () => void (rec.content = Buffer.concat(chunks).toString()),
      };
    },
    problem: (p) => void out.problems.push(p),
  };
  await source.walk(visitor);
  await source.close();
  return out;
}

const twoLayers: ImageSpec = {
  layers: [
    {
      createdBy: 'ADD rootfs.tar /',
      entries: [
        { name: 'etc/', type: 'dir' },
        { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
        { name: 'app/', type: 'dir' },
        { name: 'app/secret.txt', content: 'top' },
      ],
    },
    {
      createdBy: 'RUN rm /app/secret.txt',
      entries: [
        { name: 'app/.wh.secret.txt', content: '' },
        { name: 'app/new.txt', content: 'new' },
      ],
    },
  ],
  emptyHistory: ['ENV A=b'],
};

async function expectError(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const err = await failure(p);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(text);
}

describe('image formats', () => {
  const image = buildImage(twoLayers);

  it('reads an OCI layout folder with created_by mapped past empty layers', async () => {
    const dir = writeOciLayout(tmp(), [{ image, tag: 'v1' }]);
    const src = await openSource(`oci-dir://${dir}`);
    expect(src.description.kind).toBe('image');
    const meta = src.description.kind === 'image' ? src.description.image : undefined;
    expect(meta?.format).toBe('oci-layout');
    expect(meta?.manifestDigest).toBe(image.manifestDigest);
    expect(meta?.layers.map((l) => l.createdBy)).toEqual(['ADD rootfs.tar /', 'RUN rm /app/secret.txt']);
    expect(meta?.repoTags).toEqual(['v1']);
    const rec = await record(src);
    expect(rec.entries.map((e) => `${e.layer}:${e.header.type}:${e.header.path}`)).toEqual([
      '0:dir:/etc',
      '0:file:/etc/os-release',
      '0:dir:/app',
      '0:file:/app/secret.txt',
      '1:whiteout:/app/secret.txt',
      '1:file:/app/new.txt',
    ]);
    expect(rec.entries[1]!.content).toContain('ID=debian');
  });

  it('auto-detects docker-archive, OCI archive and gzip-compressed archives with the same content', async () => {
    const d = tmp();
    writeFileSync(join(d, 'docker.tar'), dockerArchive([{ image, tags: ['demo:1'] }]));
    writeFileSync(join(d, 'oci.tar'), ociArchive([{ image, tag: 'demo:1' }]));
    writeFileSync(join(d, 'docker.tar.gz'), gzipSync(dockerArchive([{ image, tags: ['demo:1'] }])));
    const results = [];
    for (const name of ['docker.tar', 'oci.tar', 'docker.tar.gz']) {
      const src = await openSource(join(d, name));
      const meta = src.description.kind === 'image' ? src.description.image : undefined;
      expect(meta?.configDigest).toBe(image.configDigest);
      expect(meta?.layers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));
      const rec = await record(src);
      results.push(rec.entries.map((e) => `${e.layer}:${e.header.path}:${e.content ?? ''}`));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it.skipIf(!hasZstd())('reads zstd layers', async () => {
    const img = buildImage({
      layers: [{ compression: 'zstd', entries: [{ name: 'a.txt', content: 'zstd works' }] }],
    });
    const src = await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`);
    const rec = await record(src);
    expect(rec.entries[0]!.content).toBe('zstd works');
  });

  it('reads uncompressed layers and PAX long names', async () => {
    const long = `deep/${'x'.repeat(150)}/file.txt`;
    const img = buildImage({ layers: [{ compression: 'none', entries: [{ name: long, content: 'long' }] }] });
    const rec = await record(await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`));
    expect(rec.entries.map((e) => e.header.path)).toEqual([`/${long}`]);
  });

  it('selects images by tag from multi-image archives, and lists them when ambiguous', async () => {
    const other = buildImage({ layers: [{ entries: [{ name: 'other', content: 'o' }] }] });
    const d = tmp();
    const path = join(d, 'two.tar');
    writeFileSync(
      path,
      dockerArchive([
        { image, tags: ['demo:1'] },
        { image: other, tags: ['other:2'] },
      ]),
    );
    await expectError(openSource(`archive://${path}`), 'E_AMBIGUOUS_IMAGE', /demo:1, other:2/);
    const src = await openSource(`archive://${path}:other:2`);
    expect(src.description.kind === 'image' && src.description.image.configDigest).toBe(other.configDigest);
    await expectError(
      openSource(`archive://${path}:nope:1`),
      'E_IMAGE_NOT_FOUND',
      /available: demo:1, other:2/,
    );
  });

  it('selects a platform from an index and lists the available ones for an unknown platform', async () => {
    const arm = buildImage({ architecture: 'arm64', layers: [{ entries: [{ name: 'arm', content: 'a' }] }] });
    const dir = writeOciLayout(
      tmp(),
      [
        { image, platform: { os: 'linux', architecture: 'amd64' } },
        { image: arm, platform: { os: 'linux', architecture: 'arm64' } },
      ],
      true,
    );
    const src = await openSource(`oci-dir://${dir}`, { platform: 'linux/arm64' });
    expect(src.description.kind === 'image' && src.description.image.platform.architecture).toBe('arm64');
    expect(src.description.kind === 'image' && src.description.image.indexPlatforms?.length).toBe(2);
    const err = await openSource(`oci-dir://${dir}`, { platform: 'linux/s390x' }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64/,
    );
  });
});

describe('bad input', () => {
  it('names the blob on a layer digest mismatch', async () => {
    const img = buildImage({
      layers: [
        {
          entries: [{ name: 'a', content: 'a' }],
          corrupt: () => gzipSync(makeTar([{ name: 'a', content: 'tampered' }])),
        },
      ],
    });
    const src = await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`);
    await expectError(
      record(src),
      'E_DIGEST_MISMATCH',
      new RegExp(`layer ${img.layers[0]!.digest} .*digest mismatch`),
    );
  });

  it('reports a truncated gzip layer', async () => {
    const img = buildImage({
      layers: [
        {
          entries: [{ name: 'a', content: 'x'.repeat(100_000) }],
          corrupt: (b) => b.subarray(0, Math.floor(b.length / 2)),
        },
      ],
    });
    const src = await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`);
    await expectError(record(src), 'E_CORRUPT_COMPRESSION', /truncated or corrupt gzip/);
  });

  it.skipIf(!hasZstd())('reports a truncated zstd layer', async () => {
    const img = buildImage({
      layers: [
        {
          compression: 'zstd',
          entries: [{ name: 'a', content: 'y'.repeat(200_000) }],
          corrupt: (b) => b.subarray(0, Math.floor(b.length / 2)),
        },
      ],
    });
    const src = await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`);
    await expectError(record(src), 'E_CORRUPT_COMPRESSION', /zstd/);
  });

  it('reports a corrupt tar inside a valid gzip', async () => {
    const tar = makeTar([{ name: 'a', content: 'hello' }]);
    tar.write('garbage!', 148); // break the header checksum
    const img = buildImage({ layers: [{ entries: [] }] });
    // Replace the layer with the corrupt tar, keeping digests consistent so only the tar is wrong.
    const corrupt = gzipSync(tar);
    const dir = tmp();
    const manifest = JSON.parse(img.manifest.toString());
    const cfg = JSON.parse(img.config.toString());
    cfg.rootfs.diff_ids = [sha(tar)];
    const cfgBuf = Buffer.from(JSON.stringify(cfg));
    manifest.config = { ...manifest.config, digest: sha(cfgBuf), size: cfgBuf.length };
    manifest.layers = [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: sha(corrupt),
        size: corrupt.length,
      },
    ];
    const mBuf = Buffer.from(JSON.stringify(manifest));
    mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
    for (const b of [corrupt, cfgBuf, mBuf]) writeFileSync(join(dir, 'blobs/sha256', sha(b).slice(7)), b);
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(mBuf), size: mBuf.length },
        ],
      }),
    );
    await expectError(
      record(await openSource(`oci-dir://${dir}`)),
      'E_CORRUPT_TAR',
      /corrupt tar: invalid tar header checksum/,
    );
  });

  it('reports a missing blob', async () => {
    const img = buildImage(twoLayers);
    const dir = writeOciLayout(tmp(), [{ image: img }]);
    rmSync(join(dir, 'blobs/sha256', img.layers[1]!.digest.slice(7)));
    await expectError(record(await openSource(`oci-dir://${dir}`)), 'E_MISSING_BLOB', /missing/);
  });

  it('refuses an unsupported layer media type', async () => {
    const img = buildImage(twoLayers);
    const dir = writeOciLayout(tmp(), [{ image: img }]);
    const m = JSON.parse(img.manifest.toString());
    m.layers[0].mediaType = 'application/vnd.oci.image.layer.v1.tar+bzip2';
    const buf = Buffer.from(JSON.stringify(m));
    const d = sha(buf);
    writeFileSync(join(dir, 'blobs/sha256', d.slice(7)), buf);
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d, size: buf.length }],
      }),
    );
    await expectError(openSource(`oci-dir://${dir}`), 'E_UNSUPPORTED_MEDIA_TYPE', /tar\+bzip2/);
  });

  it('reports a file that is not an image, a missing path, an empty folder, and registry targets', async () => {
    const d = tmp();
    writeFileSync(join(d, 'random.bin'), Buffer.from('this is not a tar archive at all'.repeat(40)));
    await expectError(openSource(join(d, 'random.bin')), 'E_NOT_IMAGE', /not an image archive/);
    writeFileSync(join(d, 'empty.tar'), Buffer.alloc(0));
    await expectError(openSource(`archive://${join(d, 'empty.tar')}`), 'E_NOT_IMAGE', /empty file/);
    await expectError(openSource(join(d, 'nope.tar')), 'E_NOT_FOUND', /no such file/);
    mkdirSync(join(d, 'empty'));
    await expectError(openSource(`oci-dir://${join(d, 'empty')}`), 'E_NOT_IMAGE', /not an OCI image layout/);
    const fs = await openSource(`fs://${join(d, 'empty')}`);
    expect((await record(fs)).entries).toEqual([]);
    await expectError(openSource('registry://Debian:12'), 'E_USAGE', /repository name must be lowercase/);
    await expectError(openSource('ftp://x'), 'E_USAGE', /unknown target type/);
  });

  it('skips hostile paths with a problem and keeps reading', async () => {
    const img = buildImage({
      layers: [
        {
          entries: [
            { name: '../../etc/passwd', content: 'evil' },
            { name: '/abs/ok.txt', content: 'fine' },
          ],
        },
      ],
    });
    const rec = await record(await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`));
    expect(rec.problems.map((p) => p.reason)).toEqual([
      'entry path "../../etc/passwd" escapes the root with ".."',
    ]);
    expect(rec.entries.map((e) => e.header.path)).toEqual(['/abs/ok.txt']);
  });

  it('stops a decompression bomb', async () => {
    const img = buildImage({
      layers: [{ entries: [{ name: 'zeros', content: Buffer.alloc(20 * 1024 * 1024) }] }],
    });
    const src = await openSource(`oci-dir://${writeOciLayout(tmp(), [{ image: img }])}`, {
      limits: { maxLayerBytes: 1024 ** 3, maxRatio: 100, bombThresholdBytes: 1024 * 1024 },
    });
    await expectError(record(src, false), 'E_DECOMPRESSION_BOMB', /decompression bomb/);
  });
});

describe.skipIf(!haveImages())('real images', () => {
  it('reads the same layers from docker-archive, OCI layout and OCI archive of debian12-node', async () => {
    const lists = [];
    for (const t of [
      `archive://${imagePath('debian12-node', 'docker.tar')}`,
      `oci-dir://${imagePath('debian12-node', 'oci')}`,
      imagePath('debian12-node', 'oci.tar'),
    ]) {
      const rec = await record(await openSource(t), false);
      expect(rec.layers).toHaveLength(3);
      lists.push(
        rec.entries.map((e) => `${e.layer}:${e.header.type}:${e.header.path}:${e.header.size}`).join('\n'),
      );
    }
    expect(lists[1]).toBe(lists[0]);
    expect(lists[2]).toBe(lists[0]);
  });

  it('picks the arm64 manifest of the multiarch index', async () => {
    const src = await openSource(`oci-dir://${imagePath('multiarch', 'oci')}`, { platform: 'linux/arm64' });
    expect(src.description.kind === 'image' && src.description.image.platform.architecture).toBe('arm64');
    expect(existsSync(imagePath('multiarch', 'oci'))).toBe(true);
  });
});
