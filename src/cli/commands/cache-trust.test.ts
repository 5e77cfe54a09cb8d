/**
 * A warm cache never vouches for blobs it has not seen: a deleted layer blob fails the scan (exit 3), a
 * blob edited in place (same size, mtime put back) is read again and its digest mismatch reported, and
 * an unchanged image is still a cache hit without reading any blob.
 */
import { readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildImage, tempDir, writeOciLayout } from '../../source/test-support/build.js';
import { BulwarkError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { catalogTarget } from '../../engine/catalog.js';

const sink = (): Writable =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

let work: string;
let layout: string;
let io: CliIO;

function layerBlobs(): string[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(
    readFileSync(join(layout, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8'),
  ) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => join(layout, 'blobs/sha256', l.digest.slice(7)));
}

const load = () => catalogTarget(`oci-dir://${layout}`, { cwd: io.cwd, env: io.env });

beforeEach(() => {
  work = tempDir();
  const image = buildImage({
    layers: [
      {
        entries: [
          {
            name: 'var/lib/dpkg/status',
            content:
              'Package: libfoo1\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n',
          },
        ],
      },
      {
        entries: [
          {
            name: 'app/node_modules/left-pad/package.json',
            content: '{"name":"left-pad","version":"1.3.0"}',
          },
          { name: 'app/filler.bin', content: Buffer.alloc(100_000, 7) },
        ],
      },
    ],
  });
  layout = writeOciLayout(join(work, 'img'), [{ image }]);
  io = {
    stdout: sink(),
    stderr: sink(),
    stdin: new PassThrough(),
    env: { BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' },
    cwd: work,
  };
});

async function failure(): Promise<BulwarkError> {
  const err = await load().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BulwarkError);
  return err as BulwarkError;
}

describe('warm cache trust', () => {
  it('an unchanged image is a whole-image hit; warm re-scans stat the blobs but never read them', async () => {
    const cold = await load();
    expect(cold.cachedLayers).toBe(0);
    expect(cold.sbom.packages.map((p) => p.name).sort()).toEqual(['left-pad', 'libfoo1']);
    const warm = await load();
    expect(warm.cachedLayers).toBe(2);
    expect(warm.sbom.packages).toEqual(cold.sbom.packages);
    // Without the whole-image result, the per-layer cache serves both layers.
    for (const f of readdirSync(join(work, 'cache', 'layers')))
      if (f.endsWith('.bws')) rmSync(join(work, 'cache', 'layers', f));
    const layered = await load();
    expect(layered.cachedLayers).toBe(2);
    expect(layered.sbom.packages).toEqual(cold.sbom.packages);
    // Not read: a blob made unreadable does not matter to a warm scan (stat needs no read permission
    // on the file itself, only on the folder), so the hit really opened nothing.
    if (process.getuid?.() !== 0) {
      const { chmodSync } = await import('node:fs');
      for (const b of layerBlobs()) chmodSync(b, 0o000);
      expect((await load()).cachedLayers).toBe(2);
      for (const b of layerBlobs()) chmodSync(b, 0o644);
    }
  });

  it('a deleted layer blob fails a warm scan with the input error (exit 3)', async () => {
    await load();
    expect((await load()).cachedLayers).toBe(2);
    rmSync(layerBlobs()[1]!);
    const err = await failure();
    expect(err.code).toBe('E_MISSING_BLOB');
    expect(err.exitCode).toBe(3);
  });

  it('a blob edited in place (same size, mtime restored) is read again: digest mismatch', async () => {
    const blob = layerBlobs()[1]!;
    utimesSync(blob, 1_700_000_000, 1_700_000_000); // whole seconds: restorable exactly below
    await load();
    expect((await load()).cachedLayers).toBe(2);
    const before = statSync(blob, { bigint: true });
    const bytes = readFileSync(blob);
    const mid = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(mid) ^ 0xff, mid);
    writeFileSync(blob, bytes);
    utimesSync(blob, 1_700_000_000, 1_700_000_000);
    const after = statSync(blob, { bigint: true });
    expect(after.size).toBe(before.size);
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.ino).toBe(before.ino);
    const err = await failure();
    expect(err.exitCode).toBe(3);
    expect(['E_DIGEST_MISMATCH', 'E_CORRUPT_COMPRESSION', 'E_DIFFID_MISMATCH']).toContain(err.code);
  });

  it('a blob of another size is read again and fails', async () => {
    await load();
    const blob = layerBlobs()[0]!;
    writeFileSync(blob, readFileSync(blob).subarray(0, 40));
    const err = await failure();
    expect(err.code).toBe('E_CORRUPT_COMPRESSION');
    expect(err.exitCode).toBe(3);
  });

  it('a blob replaced by the same bytes (new inode) is re-verified once, then trusted again', async () => {
    await load();
    const blob = layerBlobs()[1]!;
    const bytes = readFileSync(blob);
    rmSync(blob);
    writeFileSync(blob, bytes);
    const again = await load(); // whole-image result not trusted: layer 2 is read and verified
    expect(again.cachedLayers).toBe(1);
    expect((await load()).cachedLayers).toBe(2);
  });
});
