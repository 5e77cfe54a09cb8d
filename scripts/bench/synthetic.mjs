// Generates a synthetic OCI layout of a given total layer size (streamed to disk, never held in memory):
// layer 0 holds an os-release and a dpkg status with 200 packages; the other layers hold 32 MiB files of
// incompressible-ish data. Cached by size under .bench/.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

function header(name, size, type = '0') {
  const b = Buffer.alloc(512);
  const oct = (n, len) => n.toString(8).padStart(len - 1, '0') + '\0';
  b.write(name, 0, 100);
  b.write(oct(0o644, 8), 100);
  b.write(oct(0, 8), 108);
  b.write(oct(0, 8), 116);
  b.write(oct(size, 12), 124);
  b.write(oct(1_700_000_000, 12), 136);
  b.write('        ', 148);
  b.write(type, 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(oct(sum, 7).slice(0, 6) + '\0 ', 148);
  return b;
}

/** Write one gzip layer; `files` yields [name, size, fill(chunkIndex) => Buffer]. Returns descriptors. */
async function writeLayer(dir, files) {
  const tmp = join(dir, `layer.${process.pid}.tmp`);
  const out = createWriteStream(tmp);
  const gz = createGzip({ level: 1 });
  const blobHash = createHash('sha256');
  const tarHash = createHash('sha256');
  let size = 0;
  gz.on('data', (c) => {
    blobHash.update(c);
    size += c.length;
    if (!out.write(c)) gz.pause();
  });
  out.on('drain', () => gz.resume());
  const put = async (buf) => {
    tarHash.update(buf);
    if (!gz.write(buf)) await once(gz, 'drain');
  };
  for (const [name, length, fill] of files) {
    await put(header(name, length));
    let left = length;
    let i = 0;
    while (left > 0) {
      const chunk = fill(i++);
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      await put(part);
      left -= part.length;
    }
    if (length % 512) await put(Buffer.alloc(512 - (length % 512)));
  }
  await put(Buffer.alloc(1024));
  gz.end();
  await once(gz, 'end');
  out.end();
  await once(out, 'finish');
  const digest = `sha256:${blobHash.digest('hex')}`;
  renameSync(tmp, join(dir, 'blobs', 'sha256', digest.slice(7)));
  return { digest, size, diffId: `sha256:${tarHash.digest('hex')}` };
}

export async function syntheticImage(root, totalBytes) {
  const dir = join(root, `synthetic-${Math.round(totalBytes / 1e6)}MB.oci`);
  if (existsSync(join(dir, 'index.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const status = Array.from(
    { length: 200 },
    (_, i) =>
      `Package: pkg${i}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.${i}-1\nMaintainer: Bench <b@example.org>\nDescription: synthetic ${i}\n`,
  ).join('\n');
  const text = (s) => [Buffer.byteLength(s), () => Buffer.from(s)];
  const layers = [
    await writeLayer(dir, [
      [
        'etc/os-release',
        ...text('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
      ],
      ['var/lib/dpkg/status', ...text(status)],
    ]),
  ];
  const FILE = 32 * 1024 * 1024;
  const PER_LAYER = 8; // 256 MiB per layer
  const block = randomBytes(1024 * 1024);
  let written = 0;
  let n = 0;
  while (written < totalBytes) {
    const files = [];
    for (let f = 0; f < PER_LAYER && written < totalBytes; f++, n++) {
      // Vary each 1 MiB chunk so gzip cannot collapse it.
      files.push([
        `data/blob-${n}.bin`,
        FILE,
        (i) => {
          const b = Buffer.from(block);
          b.writeUInt32LE(n * 1e6 + i, 0);
          return b;
        },
      ]);
      written += FILE;
    }
    layers.push(await writeLayer(dir, files));
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created_by: `synthetic layer ${i}` })),
    }),
  );
  const cd = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  writeFileSync(join(dir, 'blobs', 'sha256', cd.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.length },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.size,
      })),
    }),
  );
  const md = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  writeFileSync(join(dir, 'blobs', 'sha256', md.slice(7)), manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length },
      ],
    }),
  );
  return dir;
}
