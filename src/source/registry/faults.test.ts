/**
 * Registry behaviour a real registry does not show on demand: redirects to another host, rate limits,
 * stalls, hostile manifests. Small node:http servers on loopback play the registry; the image they serve
 * is built by the test.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openSource, type OpenSourceOptions } from '../open.js';
import { buildImage, tempDir } from '../test-support/build.js';
import { failure } from '../test-support/expect.js';
import type { LayerVisitor } from '../types.js';
import { Credentials, parseChallenges } from './auth.js';
import { retryAfterMs } from './transport.js';
import { serve, sha256, type HttpServer } from './test-support/registry.js';

const image = buildImage({
  layers: [
    {
      entries: [
        { name: 'etc/', type: 'dir' },
        { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      ],
    },
    {
      entries: [
        { name: 'app/', type: 'dir' },
        { name: 'app/main.js', content: 'console.log(1)\n' },
      ],
    },
  ],
});
const layerDigests = image.layers.map((l) => l.digest);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const servers: HttpServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tmp = (): string => {
  const d = tempDir('bulwark-faults-');
  dirs.push(d);
  return d;
};

type Route = (req: IncomingMessage, res: ServerResponse, path: string) => boolean | void;

/** A registry serving `image` as app:v1, with `route` consulted first. */
async function fakeRegistry(route?: Route, host = '127.0.0.1'): Promise<HttpServer> {
  const s = await serve((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (route?.(req, res, path)) return;
    if (path === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const m = /^\/v2\/app\/(manifests|blobs)\/(.+)$/.exec(path);
    if (m?.[1] === 'manifests' && (m[2] === 'v1' || m[2] === image.manifestDigest)) {
      return void res
        .writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': image.manifestDigest })
        .end(image.manifest);
    }
    const blob = m?.[1] === 'blobs' ? image.blobs.get(m[2]!) : undefined;
    if (blob) return void res.writeHead(200, { 'content-length': blob.length }).end(blob);
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  }, host);
  servers.push(s);
  return s;
}

const fast = { retries: 2, backoffMs: 20, readTimeoutMs: 800, connectTimeoutMs: 800 };
const opts = (extra: Record<string, unknown> = {}): OpenSourceOptions => ({
  registry: { env: { HOME: tmp() }, ...fast, ...extra },
});

async function walkAll(
  target: string,
  options: OpenSourceOptions,
  visitor: LayerVisitor = { entry: () => undefined },
): Promise<string[]> {
  const src = await openSource(target, options);
  const paths: string[] = [];
  try {
    await src.walk({
      ...visitor,
      entry: (l, h) => {
        paths.push(h.path);
        return visitor.entry(l, h);
      },
    });
  } finally {
    await src.close();
  }
  return paths;
}

async function canListen(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, host, () => s.close(() => resolve(true)));
  });
}

describe('registry faults', () => {
  it('follows a blob redirect to another host without the Authorization header', async () => {
    const blobHost = (await canListen('127.0.0.2')) ? '127.0.0.2' : '127.0.0.1';
    if (blobHost !== '127.0.0.2')
      console.warn(
        '*** 127.0.0.2 is not usable here: the blob server runs on another port of 127.0.0.1 (another origin) ***',
      );
    const storage = await serve((req, res) => {
      const digest = /^\/storage\/(sha256:[a-f0-9]+)/.exec(req.url ?? '')?.[1];
      const blob = digest ? image.blobs.get(digest) : undefined;
      if (blob) res.writeHead(200).end(blob);
      else res.writeHead(404).end();
    }, blobHost);
    servers.push(storage);
    const expected = `Basic ${Buffer.from('u:pw-secret').toString('base64')}`;
    const reg = await fakeRegistry((req, res, path) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
        return true;
      }
      const digest = /^\/v2\/app\/blobs\/(.+)$/.exec(path)?.[1];
      if (digest) {
        res
          .writeHead(307, {
            location: `http://${blobHost}:${storage.port}/storage/${digest}?X-Amz-Signature=abc`,
          })
          .end();
        return true;
      }
      return false;
    });
    const paths = await walkAll(
      `registry://127.0.0.1:${reg.port}/app:v1`,
      opts({ username: 'u', password: 'pw-secret' }),
    );
    expect(paths).toContain('/app/main.js');
    const stored = storage.requests.map((r) => r.path.split('?')[0]);
    expect(stored.sort()).toEqual([image.configDigest, ...layerDigests].map((d) => `/storage/${d}`).sort());
    expect(storage.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
    expect(reg.requests.filter((r) => r.path.includes('/blobs/') && r.authorization !== expected)).toEqual(
      [],
    );
  });

  it('does not download a layer the visitor skips (cache hit)', async () => {
    const reg = await fakeRegistry();
    const started: number[] = [];
    await walkAll(`registry://127.0.0.1:${reg.port}/app:v1`, opts(), {
      layerStart: (l) => {
        started.push(l.index);
        return l.index === 0 ? 'skip' : undefined;
      },
      entry: () => undefined,
    });
    expect(started).toEqual([0, 1]);
    const blobPaths = reg.requests.filter((r) => r.path.includes('/blobs/')).map((r) => r.path);
    expect(blobPaths).toEqual([`/v2/app/blobs/${image.configDigest}`, `/v2/app/blobs/${layerDigests[1]}`]);
  });

  it('retries 429 after Retry-After and 503 with backoff', async () => {
    let calls = 0;
    const reg = await fakeRegistry((_req, res, path) => {
      if (path !== '/v2/app/manifests/v1') return false;
      calls++;
      if (calls === 1) return (res.writeHead(429, { 'retry-after': '1' }).end(), true);
      if (calls === 2) return (res.writeHead(503).end(), true);
      return false;
    });
    const t0 = Date.now();
    await walkAll(`registry://127.0.0.1:${reg.port}/app:v1`, opts({ retries: 3 }));
    expect(calls).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);

    const limited = await fakeRegistry((_req, res, path) =>
      path === '/v2/app/manifests/v1' ? (res.writeHead(429, { 'retry-after': '3600' }).end(), true) : false,
    );
    const err = await failure(openSource(`registry://127.0.0.1:${limited.port}/app:v1`, opts()));
    expect(err.code).toBe('E_RATE_LIMITED');
    const broken = await fakeRegistry((_req, res, path) =>
      path === '/v2/app/manifests/v1'
        ? (res
            .writeHead(500, { 'content-type': 'application/json' })
            .end('{"errors":[{"code":"UNKNOWN","message":"disk\\nfull"}]}'),
          true)
        : false,
    );
    const e500 = await failure(openSource(`registry://127.0.0.1:${broken.port}/app:v1`, opts()));
    expect(e500.message).toMatch(
      /answered HTTP 500 for manifest of 127\.0\.0\.1:\d+\/app:v1 \(UNKNOWN: disk full\)/,
    );
    expect(broken.requests.filter((r) => r.path === '/v2/app/manifests/v1')).toHaveLength(3);
    expect(e500.exitCode).toBe(5);
  });

  it('times out on a registry that accepts connections and never answers', async () => {
    const sockets: net.Socket[] = [];
    const stall = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    const t0 = Date.now();
    const err = await failure(
      openSource(`registry://127.0.0.1:${(stall.address() as AddressInfo).port}/app:v1`, opts()),
    );
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.message).toMatch(/stopped answering/);
    expect(Date.now() - t0).toBeLessThan(5000);
    sockets.forEach((s) => s.destroy());
    stall.close();
  });

  it('times out when a layer download stalls half way', async () => {
    const reg = await fakeRegistry((_req, res, path) => {
      if (path !== `/v2/app/blobs/${layerDigests[1]}`) return false;
      const blob = image.blobs.get(layerDigests[1]!)!;
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 20));
      return true;
    });
    const err = await failure(walkAll(`registry://127.0.0.1:${reg.port}/app:v1`, opts()));
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.exitCode).toBe(5);
  });

  it('treats bare names that look like files as missing files, never as references', async () => {
    const cwd = tmp();
    for (const name of ['image.tar', 'out/image.tar.gz', './debian', 'layout.oci']) {
      const err = await failure(openSource(name, { ...opts(), cwd }));
      expect(err.code).toBe('E_NOT_FOUND');
      expect(err.message).toBe(`${name}: no such file or directory`);
    }
    const bad = await failure(openSource('Not A Reference', { ...opts(), cwd }));
    expect(bad.message).toBe('Not A Reference: no such file or directory, and not a valid image reference');
  });

  it('reports a refused connection in one line', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await failure(openSource(`registry://127.0.0.1:${port}/app:v1`, opts()));
    expect(err.code).toBe('E_CONNECT');
    expect(err.message).toBe(`cannot connect to registry 127.0.0.1:${port}: connection refused`);
    expect(err.exitCode).toBe(5);
  });

  it('reports DNS failures in one line', async () => {
    const err = await failure(openSource('registry://no-such-host.invalid/x', opts()));
    expect(err.code).toBe('E_DNS');
    expect(err.message).toBe('cannot resolve registry host "no-such-host.invalid" (DNS lookup failed)');
    expect(err.exitCode).toBe(5);
  });

  it.each([
    [
      'an oversized manifest (declared)',
      (res: ServerResponse) =>
        res
          .writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': 5 * 1024 * 1024 })
          .end(Buffer.alloc(5 * 1024 * 1024, 32)),
      'E_TOO_LARGE',
    ],
    [
      'an oversized manifest (chunked)',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST });
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1024 * 1024, 32));
        res.end();
      },
      'E_TOO_LARGE',
    ],
    [
      'a manifest that is not JSON',
      (res: ServerResponse) =>
        res.writeHead(200, { 'content-type': OCI_MANIFEST }).end('<html>proxy error</html>'),
      'E_BAD_JSON',
    ],
    [
      'a wrong Docker-Content-Digest',
      (res: ServerResponse) =>
        res
          .writeHead(200, {
            'content-type': OCI_MANIFEST,
            'docker-content-digest': `sha256:${'1'.repeat(64)}`,
          })
          .end(image.manifest),
      'E_DIGEST_MISMATCH',
    ],
    [
      'a schema 1 manifest',
      (res: ServerResponse) =>
        res
          .writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' })
          .end('{"schemaVersion":1,"name":"app","tag":"v1","fsLayers":[]}'),
      'E_SCHEMA1',
    ],
    [
      'a manifest cut off mid-way',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': 1000 });
        res.write('{"schemaVersion":2,', () => res.socket?.destroy());
      },
      'E_NETWORK',
    ],
    ['a 403', (res: ServerResponse) => res.writeHead(403).end(), 'E_AUTH_REQUIRED'],
    [
      'a 401 with no way to authenticate',
      (res: ServerResponse) => res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end(),
      'E_AUTH_REQUIRED',
    ],
  ])('refuses %s', async (_name, answer, code) => {
    const reg = await fakeRegistry((_req, res, path) =>
      path === '/v2/app/manifests/v1' ? (answer(res), true) : false,
    );
    const err = await failure(openSource(`registry://127.0.0.1:${reg.port}/app:v1`, opts()));
    expect(err.code).toBe(code);
  });

  it('checks the content of a manifest pinned by digest, and of layers', async () => {
    const other = Buffer.from(image.manifest.toString().replace('"schemaVersion":2', '"schemaVersion":2 '));
    const reg = await fakeRegistry((_req, res, path) => {
      if (path === `/v2/app/manifests/${image.manifestDigest}`)
        return (res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(other), true);
      if (path === `/v2/app/blobs/${layerDigests[0]}`)
        return (
          res.writeHead(200).end(Buffer.concat([image.blobs.get(layerDigests[0]!)!, Buffer.from('x')])),
          true
        );
      return false;
    });
    const pinned = await failure(
      openSource(`registry://127.0.0.1:${reg.port}/app@${image.manifestDigest}`, opts()),
    );
    expect(pinned.code).toBe('E_DIGEST_MISMATCH');
    expect(sha256(other)).not.toBe(image.manifestDigest);
    const layer = await failure(walkAll(`registry://127.0.0.1:${reg.port}/app:v1`, opts()));
    expect(layer.code).toMatch(/E_DIGEST_MISMATCH|E_CORRUPT/);
  });
});

describe('auth helpers', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/debian:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'bearer Realm=https://x/t, Service=svc',
      [{ scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } }],
    ],
    [
      'Bearer realm="a\\"b", error="insufficient_scope", Basic realm="r"',
      [
        { scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    ['', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: { realm: 'unterminated' } }]],
  ])('parses %j', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it('never renders a secret', () => {
    const c = new Credentials('alice', 'hunter2-secret', '--username');
    for (const text of [String(c), JSON.stringify(c), inspect(c), `${c}`, inspect({ nested: c })]) {
      expect(text).not.toContain('hunter2');
      expect(text).toContain('alice');
    }
  });

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
