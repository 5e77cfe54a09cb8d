// The floor for `bulwark sbom`: read and decompress the same layer bytes with no parsing at all.
// Usage: node scripts/bench/floor.mjs <oci-layout-dir | docker-archive.tar>
import { createReadStream, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const target = process.argv[2];
const t0 = performance.now();
const drain = () => new Writable({ highWaterMark: 1 << 20, write: (_c, _e, cb) => cb() });
if (statSync(target).isDirectory()) {
  const blob = (d) => join(target, 'blobs', ...d.split(':'));
  const index = JSON.parse(readFileSync(join(target, 'index.json'), 'utf8'));
  let doc = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  if (doc.manifests) doc = JSON.parse(readFileSync(blob(doc.manifests[0].digest), 'utf8'));
  for (const layer of doc.layers) {
    const src = createReadStream(blob(layer.digest), { highWaterMark: 1 << 20 });
    if (layer.mediaType.endsWith('gzip'))
      await pipeline(src, createGunzip({ chunkSize: 256 * 1024 }), drain());
    else await pipeline(src, drain());
  }
} else {
  await pipeline(createReadStream(target, { highWaterMark: 1 << 20 }), drain());
}
const wallMs = performance.now() - t0;
writeSync(
  3,
  `${JSON.stringify({ code: 0, wallMs, workMs: wallMs, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
