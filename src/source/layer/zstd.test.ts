import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test-support/images.js';
import { buildImage, hasZstd, tempDir, writeOciLayout } from '../test-support/build.js';
import { createZstdDecoder, nativeZstdAvailable, ZstdFormatError, ZstdFrameScanner } from './zstd.js';

/** The zstd CLI is installed by scripts/setup-test-env.sh: its absence fails these tests (never a skip). */
function requireZstd(): void {
  if (!hasZstd()) throw new Error('the zstd CLI is missing: run scripts/setup-test-env.sh');
}

const zstd = (input: Buffer, args: string[] = ['-3']): Buffer =>
  execFileSync('zstd', ['-q', '-c', ...args, '-'], { input, maxBuffer: 1024 ** 3 });

async function decode(compressed: Buffer, chunk: number, forceFallback = true): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < compressed.length; i += chunk) pieces.push(compressed.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    createZstdDecoder({ forceFallback }),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

/** A hand-made frame: header with the given window descriptor byte, then `blocks`, then nothing else. */
function frame(windowDescriptor: number, blocks: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor]), ...blocks]);
}
/** An RLE block regenerating `size` copies of one byte (4 stored bytes). */
function rleBlock(size: number, last = false): Buffer {
  const h = (size << 3) | (1 << 1) | (last ? 1 : 0);
  return Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0]);
}
/** Window descriptor for 2^(10+exp) bytes. */
const wd = (exp: number): number => exp << 3;

describe('zstd decoding', () => {
  it('decodes what the zstd CLI writes (levels, checksums, several frames, skippable frames), at any chunking', async () => {
    requireZstd();
    const text = Buffer.from('package: libc6\nversion: 2.36-9\n'.repeat(40_000));
    const noise = randomBytes(700_000);
    const input = Buffer.concat([text, noise, text]);
    const skippable = Buffer.concat([
      Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]),
      Buffer.from('hello'),
    ]);
    const compressed = Buffer.concat([
      zstd(input, ['-3', '--check']),
      skippable,
      zstd(input, ['-19', '--no-check']),
      zstd(Buffer.alloc(0)),
    ]);
    const expected = Buffer.concat([input, input]);
    for (const chunk of [1, 7, 4096, 65536, compressed.length]) {
      if (chunk === 1 && compressed.length > 300_000) {
        // Byte by byte is slow through streams: run it on the first frame only.
        const first = zstd(text.subarray(0, 50_000), ['-3', '--check']);
        expect((await decode(first, 1)).equals(text.subarray(0, 50_000))).toBe(true);
        continue;
      }
      expect((await decode(compressed, chunk)).equals(expected)).toBe(true);
    }
    if (nativeZstdAvailable()) expect((await decode(compressed, 65536, false)).equals(expected)).toBe(true);
  });

  it('reports truncation and garbage as corrupt', async () => {
    requireZstd();
    const good = zstd(Buffer.from('x'.repeat(300_000) + 'y'.repeat(300_000)));
    await expect(decode(good.subarray(0, good.length - 3), 4096)).rejects.toThrow(/^zstd: .*truncated/);
    await expect(decode(Buffer.from('not zstd at all'), 4096)).rejects.toThrow(/^zstd: not a zstd frame/);
  });

  it('refuses a window beyond the decoder limit before allocating it', async () => {
    const stream = frame(wd(20), [rleBlock(10, true)]); // a 1 GiB window for 10 bytes
    const err = await decode(stream, 4096).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZstdFormatError);
    expect((err as ZstdFormatError).code).toBe('E_DECOMPRESSION_BOMB');
    expect((err as Error).message).toMatch(/window of 1073741824 bytes exceeds/);
  });

  it('refuses blocks larger than the format allows', () => {
    const s = new ZstdFrameScanner();
    expect(() => s.feed(frame(wd(13), [rleBlock(2 * 1024 * 1024 - 1, true)]))).toThrow(
      /exceeds the 131072-byte/,
    );
  });

  it('refuses a stream of tiny blocks in a large window quickly (CPU bound, no output for the bomb guard)', async () => {
    const blocks: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) blocks.push(rleBlock(1, i === 99_999));
    const started = Date.now();
    const err = await decode(frame(wd(13), blocks), 65536).catch((e: unknown) => e);
    expect((err as ZstdFormatError).code).toBe('E_DECOMPRESSION_BOMB');
    expect((err as Error).message).toMatch(/window work/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('decodes no further than the consumer reads (back-pressure)', async () => {
    // 16 000 RLE blocks of 128 KiB: 64 KB stored, 2 GiB of output.
    const blocks: Buffer[] = [];
    for (let i = 0; i < 16_000; i++) blocks.push(rleBlock(128 * 1024, i === 15_999));
    const bomb = frame(wd(10), blocks);
    const dec = createZstdDecoder({ forceFallback: true });
    dec.write(bomb);
    await new Promise((r) => setTimeout(r, 100));
    // Nobody reads: at most the readable buffer plus one step is decoded.
    expect(dec.readableLength).toBeLessThanOrEqual(3 * 1024 * 1024);
    // Reading some lets it go on, still bounded.
    let seen = 0;
    for (let i = 0; i < 50; i++) {
      let c: Buffer | null;
      while ((c = dec.read() as Buffer | null) !== null) seen += c.length;
      await new Promise((r) => setImmediate(r));
    }
    expect(seen).toBeGreaterThan(4 * 1024 * 1024);
    expect(dec.readableLength).toBeLessThanOrEqual(3 * 1024 * 1024);
    dec.destroy();
  });
});

describe('zstd bomb through the CLI', () => {
  it('refuses a zstd bomb layer early with a one-line error and flat memory', () => {
    requireZstd();
    const bin = join(REPO_ROOT, 'bin', 'bulwark.js');
    expect(existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js')), 'run npm run build first').toBe(true);
    const dir = tempDir();
    // 1.5 GiB of zeros compressed by the real CLI (~50 KB): past the 1 GiB bomb threshold at ratio ~30 000.
    const bombFile = join(dir, 'bomb.zst');
    execFileSync('sh', ['-c', `head -c 1610612736 /dev/zero | zstd -q -3 -c > ${bombFile}`]);
    const bomb = execFileSync('cat', [bombFile], { maxBuffer: 1024 ** 3 });
    expect(bomb.length).toBeLessThan(200_000);
    const img = buildImage({ layers: [{ compression: 'zstd', entries: [], corrupt: () => bomb }] });
    const layout = writeOciLayout(join(dir, 'img'), [{ image: img }]);
    // Peak RSS of the child, written by a preloaded exit hook.
    const rssFile = join(dir, 'rss');
    const hook = join(dir, 'rss.mjs');
    writeFileSync(
      hook,
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
    );
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=128', '--import', hook, bin, 'sbom', `oci-dir://${layout}`, '-q'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bulwark: .*decompression bomb suspected/);
    const peakKiB = Number(execFileSync('cat', [rssFile], { encoding: 'utf8' }));
    // Before the streaming fix this layer took gigabytes; now the decoder holds about a megabyte.
    expect(peakKiB).toBeLessThan(400 * 1024);
  }, 180_000);
});
