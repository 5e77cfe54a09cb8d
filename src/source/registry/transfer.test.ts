/**
 * Registry transfers that go wrong half way, against node:http registries on 127.0.0.1 written here: a
 * connection dropped in the middle of a layer (resumed with Range, or restarted when the registry ignores
 * Range), a registry that trickles a byte at a time (the total deadline ends it), and a registry whose
 * resumed bytes are not the blob's (the layer digest, computed over the joined stream, catches it).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/capture.js';
import { openSource, type OpenSourceOptions } from '../open.js';
import { buildImage, tempDir } from '../test-support/build.js';
import { failure } from '../test-support/expect.js';
import { serve, type HttpServer } from './test-support/registry.js';

/** Incompressible bytes, so the gzip layer is as large as the file (several TCP chunks). */
function noise(n: number): Buffer {
  const out = Buffer.alloc(n);
  let seed = Buffer.from('bulwark-transfer');
  for (let off = 0; off < n; off += 32) {
    seed = createHash('sha256').update(seed).digest();
    seed.copy(out, off);
  }
  return out;
}

const image = buildImage({
  layers: [
    { entries: [{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] },
    {
      entries: [
        { name: 'app/', type: 'dir' },
        { name: 'app/blob.bin', content: noise(400_000) },
      ],
    },
  ],
});
/** The same image with an uncompressed big layer: changed bytes inside a file leave the tar readable. */
const plain = buildImage({
  layers: [
    { entries: [{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] },
    {
      compression: 'none',
      entries: [
        { name: 'app/', type: 'dir' },
        { name: 'app/blob.bin', content: noise(400_000) },
      ],
    },
  ],
});
const big = image.layers[1]!.digest;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const servers: HttpServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

interface BlobRequest {
  readonly range?: string;
}
type BlobHandler = (req: IncomingMessage, res: ServerResponse, blob: Buffer, n: number) => void;

/** A registry serving `image` as app:v1; the big layer is answered by `onBig` (n = 1, 2, …). */
async function registry(
  onBig: BlobHandler,
  img: typeof image = image,
): Promise<{ server: HttpServer; bigRequests: BlobRequest[] }> {
  const bigRequests: BlobRequest[] = [];
  const bigDigest = img.layers[1]!.digest;
  const server = await serve((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v2/') return void res.writeHead(200).end('{}');
    if (path === '/v2/app/manifests/v1')
      return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(img.manifest);
    const digest = /^\/v2\/app\/blobs\/(.+)$/.exec(path)?.[1];
    if (digest === bigDigest) {
      bigRequests.push(req.headers.range ? { range: req.headers.range } : {});
      return onBig(req, res, img.blobs.get(bigDigest)!, bigRequests.length);
    }
    const blob = digest ? img.blobs.get(digest) : undefined;
    if (blob) return void res.writeHead(200, { 'content-length': blob.length }).end(blob);
    res.writeHead(404).end();
  });
  servers.push(server);
  return { server, bigRequests };
}

/** Send `bytes` under the full Content-Length, then cut the connection. */
function dropAfter(res: ServerResponse, blob: Buffer, bytes: number): void {
  res.writeHead(200, { 'content-length': blob.length });
  res.write(blob.subarray(0, bytes), () => setTimeout(() => res.socket?.destroy(), 20));
}

/** Answer a `Range: bytes=N-` request with 206, or the whole blob. */
function serveRange(req: IncomingMessage, res: ServerResponse, blob: Buffer, start = rangeOf(req)): void {
  if (start === undefined) return void res.writeHead(200, { 'content-length': blob.length }).end(blob);
  res
    .writeHead(206, {
      'content-length': blob.length - start,
      'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}`,
    })
    .end(blob.subarray(start));
}

function rangeOf(req: IncomingMessage): number | undefined {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  return m ? Number(m[1]) : undefined;
}

const opts = (extra: Record<string, unknown> = {}): OpenSourceOptions => {
  const home = tempDir('bulwark-transfer-');
  dirs.push(home);
  return {
    registry: {
      env: { HOME: home },
      retries: 2,
      backoffMs: 20,
      readTimeoutMs: 800,
      connectTimeoutMs: 800,
      ...extra,
    },
  };
};

/** Walk the image; returns the size of app/blob.bin as read through the layer reader. */
async function readBigFile(port: number, options: OpenSourceOptions): Promise<number> {
  const src = await openSource(`registry://127.0.0.1:${port}/app:v1`, options);
  let size = -1;
  try {
    await src.walk({
      entry: (_l, h) => {
        if (h.path === '/app/blob.bin' || h.path === 'app/blob.bin') size = h.size;
      },
    });
  } finally {
    await src.close();
  }
  return size;
}

describe('registry transfers that break off', () => {
  it('resumes a layer dropped half way with Range, and the digest of the joined stream verifies', async () => {
    const cut = 150_000;
    const { server, bigRequests } = await registry((req, res, blob, n) =>
      n === 1 ? dropAfter(res, blob, cut) : serveRange(req, res, blob),
    );
    expect(await readBigFile(server.port, opts())).toBe(400_000);
    expect(bigRequests).toHaveLength(2);
    expect(bigRequests[0]).toEqual({});
    // Resumed from what had reached the reader: at most what the registry sent, more than nothing.
    const from = Number(/^bytes=(\d+)-$/.exec(bigRequests[1]!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(cut);
  });

  it('restarts a layer when the registry ignores Range, dropping the bytes the reader already has', async () => {
    const { server, bigRequests } = await registry((_req, res, blob, n) =>
      n === 1
        ? dropAfter(res, blob, 120_000)
        : res.writeHead(200, { 'content-length': blob.length }).end(blob),
    );
    expect(await readBigFile(server.port, opts())).toBe(400_000);
    expect(bigRequests).toHaveLength(2);
    expect(bigRequests[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('fetches a config dropped half way again from the start', async () => {
    let configCalls = 0;
    const server = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/v2/') return void res.writeHead(200).end('{}');
      if (path === '/v2/app/manifests/v1')
        return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(image.manifest);
      const digest = /^\/v2\/app\/blobs\/(.+)$/.exec(path)?.[1] ?? '';
      const blob = image.blobs.get(digest);
      if (!blob) return void res.writeHead(404).end();
      if (digest === image.configDigest && ++configCalls === 1) return dropAfter(res, blob, 10);
      res.writeHead(200, { 'content-length': blob.length }).end(blob);
    });
    servers.push(server);
    expect(await readBigFile(server.port, opts())).toBe(400_000);
    expect(configCalls).toBe(2);
  });

  it('stops downloading when the reader stops reading (a failed or skipped layer)', async () => {
    const { server } = await registry((req, res, blob) => serveRange(req, res, blob));
    const src = await openSource(`registry://127.0.0.1:${server.port}/app:v1`, opts());
    try {
      const err = await src
        .walk({
          entry: (_l, h) => {
            if (h.path.endsWith('blob.bin')) throw new Error('stop here');
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(err?.message).toMatch(/stop here/);
    } finally {
      await src.close();
    }
  });

  it('gives up after the retries with one line, exit code 5', async () => {
    const { server, bigRequests } = await registry((_req, res, blob) => dropAfter(res, blob, 50_000));
    const err = await failure(readBigFile(server.port, opts()));
    expect(err.exitCode).toBe(5);
    expect(err.message).toMatch(new RegExp(`registry 127\\.0\\.0\\.1:\\d+: download of layer ${big} failed`));
    expect(bigRequests).toHaveLength(3);
  });

  it('a resumed range that is not the blob fails the layer digest (the hash covers the joined bytes)', async () => {
    const { server } = await registry((req, res, blob, n) => {
      if (n === 1) return dropAfter(res, blob, 100_000);
      // The asked-for range, with 1,000 bytes of it changed: gzip may or may not notice, the digest must.
      const start = rangeOf(req)!;
      const body = Buffer.from(blob.subarray(start));
      for (let i = 1000; i < 2000; i++) body[i] = body[i]! ^ 0x5a;
      res
        .writeHead(206, {
          'content-length': body.length,
          'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}`,
        })
        .end(body);
    }, plain);
    const err = await failure(readBigFile(server.port, opts()));
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/digest mismatch/);
  });

  it('refuses a 206 answer that starts elsewhere than asked', async () => {
    const { server } = await registry((req, res, blob, n) =>
      n === 1 ? dropAfter(res, blob, 100_000) : serveRange(req, res, blob, 0),
    );
    const err = await failure(readBigFile(server.port, opts()));
    expect(err.exitCode).toBe(5);
    expect(err.message).toMatch(/got a range starting at 0/);
  });
});

describe('request deadline', () => {
  it('ends a registry that trickles a byte at a time (never idle long enough for the idle timeout)', async () => {
    const timers: NodeJS.Timeout[] = [];
    const { server, bigRequests } = await registry((_req, res, blob) => {
      res.writeHead(200, { 'content-length': blob.length });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        res.write(blob.subarray(i, i + 1));
        i++;
      }, 200);
      timers.push(t);
      res.on('close', () => clearInterval(t));
    });
    const t0 = Date.now();
    const err = await failure(readBigFile(server.port, opts({ readTimeoutMs: 800, deadlineMs: 1500 })));
    const elapsed = Date.now() - t0;
    timers.forEach(clearInterval);
    expect(err.code).toBe('E_DEADLINE');
    expect(err.exitCode).toBe(5);
    expect(err.message).toMatch(/request not finished after 2 s .*--registry-deadline/);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(4000);
    expect(bigRequests).toHaveLength(1); // a deadline is not retried
  });

  it('bulwark sbom --registry-deadline: one line, exit 5; bad values are usage errors', async () => {
    const { server } = await registry((_req, res, blob) => {
      res.writeHead(200, { 'content-length': blob.length });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(blob.subarray(0, 1))), 300);
      res.on('close', () => clearInterval(t));
    });
    const home = tempDir('bulwark-transfer-');
    dirs.push(home);
    const env = { HOME: home, BULWARK_CACHE_DIR: home, NO_COLOR: '1' };
    const ref = `registry://127.0.0.1:${server.port}/app:v1`;
    const t0 = Date.now();
    const r = await runCli(['sbom', ref, '-q', '--registry-deadline', '1', '--registry-timeout', '5'], {
      env,
      cwd: home,
    });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^bulwark: registry 127\.0\.0\.1:\d+: request not finished after 1 s \(the registry is too slow; --registry-deadline sets the limit\)\n$/,
    );
    const bad = await runCli(['sbom', ref, '--registry-deadline', 'soon'], { env, cwd: home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--registry-deadline must be a whole number of seconds/);
  });

  it('does not cut a steady download that finishes within the deadline', async () => {
    const { server } = await registry((req, res, blob) => serveRange(req, res, blob));
    expect(await readBigFile(server.port, opts({ deadlineMs: 5000 }))).toBe(400_000);
  });
});
