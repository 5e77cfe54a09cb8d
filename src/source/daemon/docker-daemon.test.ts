/**
 * docker:// against a fake Docker Engine API on a unix socket (no real daemon is needed): the server
 * answers image inspect and image export, the export being a docker-archive built by the test or a real
 * `docker save` archive from the test image cache.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveImages, imagePath } from '../../test-support/images.js';
import { openSource } from '../open.js';
import { buildImage, dockerArchive, tempDir } from '../test-support/build.js';
import { failure, packagesOf } from '../test-support/expect.js';
import { daemonImageName } from './docker-daemon.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface FakeDaemon {
  readonly socket: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/** A Docker API on a unix socket serving one image name from `exportBody`. */
async function fakeDaemon(
  name: string,
  exportBody: () => Buffer | NodeJS.ReadableStream,
): Promise<FakeDaemon> {
  const dir = tempDir('bulwark-daemon-');
  dirs.push(dir);
  const socket = join(dir, 'docker.sock');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/images\/([^/]+)\/(json|get)$/.exec(req.url ?? '');
    if (!m || decodeURIComponent(m[1]!) !== name) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: `No such image: ${m ? decodeURIComponent(m[1]!) : '?'}` }));
      return;
    }
    if (m[2] === 'json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"Id":"sha256:x"}');
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    const body = exportBody();
    if (Buffer.isBuffer(body)) res.end(body);
    else body.pipe(res);
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    requests,
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}

describe('docker:// targets', () => {
  const big = randomBytes(5 * 1024 * 1024);
  const image = buildImage({
    layers: [
      {
        createdBy: 'ADD base',
        entries: [
          { name: 'etc/', type: 'dir' },
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
        ],
      },
      { createdBy: 'COPY big', entries: [{ name: 'data.bin', content: big }] },
      { createdBy: 'COPY app', entries: [{ name: 'app.txt', content: 'hello' }] },
    ],
  });
  const archive = dockerArchive([{ image, tags: ['app:v1'] }]);

  it('reads an image from the daemon export without disk, re-exporting only for large layers', async () => {
    const daemon = await fakeDaemon('app:v1', () => archive);
    try {
      const src = await openSource('docker://app:v1', {
        daemon: { env: { DOCKER_HOST: `unix://${daemon.socket}` } },
      });
      const meta = src.description.kind === 'image' ? src.description.image : undefined;
      expect(meta?.format).toBe('docker-daemon');
      expect(meta?.repoTags).toEqual(['app:v1']);
      expect(meta?.layers.map((l) => l.createdBy)).toEqual(['ADD base', 'COPY big', 'COPY app']);
      const seen = new Map<string, number>();
      await src.walk({
        entry: (_l, h) => {
          if (h.type !== 'file') return undefined;
          let n = 0;
          return { write: (c) => void (n += c.length), end: () => void seen.set(h.path, n) };
        },
      });
      await src.close();
      expect(Object.fromEntries(seen)).toEqual({
        '/etc/os-release': 26,
        '/data.bin': big.length,
        '/app.txt': 5,
      });
      // Inspect, the first export (documents and small layers), one more export for the 5 MiB layer.
      expect(daemon.requests).toEqual([
        '/images/app%3Av1/json',
        '/images/app%3Av1/get',
        '/images/app%3Av1/get',
      ]);

      daemon.requests.length = 0;
      const again = await openSource('docker://app:v1', {
        daemon: { env: { DOCKER_HOST: `unix://${daemon.socket}` } },
      });
      await again.walk({ layerStart: (l) => (l.index === 1 ? 'skip' : undefined), entry: () => undefined });
      await again.close();
      expect(daemon.requests.filter((r) => r.endsWith('/get'))).toHaveLength(1);
    } finally {
      await daemon.close();
    }
  });

  it('says clearly when there is no daemon, no such image, or an unsupported DOCKER_HOST', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const none = await failure(
      openSource('docker://app:v1', { daemon: { env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` } } }),
    );
    expect(none.code).toBe('E_NO_DAEMON');
    expect(none.message).toBe(
      `no Docker daemon at ${join(dir, 'none.sock')} (set DOCKER_HOST=unix://… to use another socket, e.g. Podman's)`,
    );
    expect(none.exitCode).toBe(5);
    const daemon = await fakeDaemon('app:v1', () => archive);
    try {
      const missing = await failure(
        openSource('docker://other', { daemon: { env: { DOCKER_HOST: `unix://${daemon.socket}` } } }),
      );
      expect(missing.message).toBe('image not found in the Docker daemon: other:latest');
      const cut = await fakeDaemon('app:v1', () => archive.subarray(0, 3000));
      const truncated = await failure(
        openSource('docker://app:v1', { daemon: { env: { DOCKER_HOST: `unix://${cut.socket}` } } }),
      );
      expect(truncated.code).toMatch(/E_CORRUPT|E_NOT_IMAGE/);
      await cut.close();
    } finally {
      await daemon.close();
    }
    const tcp = await failure(
      openSource('docker://app:v1', { daemon: { env: { DOCKER_HOST: 'tcp://1.2.3.4:2375' } } }),
    );
    expect(tcp.message).toMatch(/only unix:\/\/ sockets/);
  });

  it.each([
    ['debian', 'debian:latest'],
    ['debian:12', 'debian:12'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    [`app@sha256:${'a'.repeat(64)}`, `app@sha256:${'a'.repeat(64)}`],
    ['3f4e5d6c7b8a', '3f4e5d6c7b8a'],
  ])('names %s as %s', (input, expected) => {
    expect(daemonImageName(input)).toBe(expected);
  });

  describe.skipIf(!haveImages())('with a real docker save archive', () => {
    it('gives the same packages as archive:// of the same file', async () => {
      const file = imagePath('debian12-minbase', 'docker.tar');
      const daemon = await fakeDaemon('debian12-minbase:latest', () => createReadStream(file));
      try {
        const fromDaemon = await packagesOf(
          await openSource('docker://debian12-minbase', {
            daemon: { env: { DOCKER_HOST: `unix://${daemon.socket}` } },
          }),
        );
        const fromArchive = await packagesOf(await openSource(`archive://${file}`));
        expect(JSON.parse(fromDaemon).length).toBeGreaterThan(50);
        expect(fromDaemon).toBe(fromArchive);
      } finally {
        await daemon.close();
      }
    });
  });
});
