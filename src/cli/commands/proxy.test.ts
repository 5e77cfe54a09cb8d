/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY for database downloads and registries, through the CLI: a forward
 * proxy written here (CONNECT tunnels and plain-HTTP forwarding, on 127.0.0.1, counting what it
 * carries), a local OSV mirror and local registries (plain HTTP and TLS). NO_PROXY is always set
 * explicitly: the proxy must really be exercised, and bypassed only when NO_PROXY says so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, staticBody, type TestServer } from '../../db/test-support/http.js';
import { requireCommand, selfSigned } from '../../source/registry/test-support/registry.js';
import { buildImage } from '../../source/test-support/build.js';
import { runCli } from '../test-support/capture.js';

interface Proxy {
  readonly url: string;
  /** `CONNECT host:port` and `GET http://…` lines, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A forward proxy: CONNECT tunnels to any port of 127.0.0.1, and absolute-form HTTP requests forwarded. */
async function startProxy(auth?: string): Promise<Proxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const authorized = (req: IncomingMessage): boolean =>
    !auth || req.headers['proxy-authorization'] === `Basic ${Buffer.from(auth).toString('base64')}`;
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (!authorized(req)) return void res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
    const target = new URL(req.url ?? '');
    if (target.hostname !== '127.0.0.1') return void res.writeHead(403).end();
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    sockets.add(client);
    if (!authorized(req)) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1') return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const baseEnv = { PATH: process.env.PATH, HOME: dir, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };

let proxy: Proxy;
beforeEach(async () => {
  proxy = await startProxy();
});
afterEach(async () => proxy.close());

const RECORD = {
  schema_version: '1.6.0',
  id: 'GHSA-prox-y000-0001',
  modified: '2026-01-01T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
    },
  ],
};

describe('database downloads', () => {
  let mirror: TestServer;
  beforeAll(async () => {
    mirror = await startServer();
    mirror.route(
      '/npm/all.zip',
      staticBody(
        zipSync({ 'GHSA-prox-y000-0001.json': strToU8(JSON.stringify(RECORD)) }),
        '"z1"',
        'application/zip',
      ),
    );
  });
  afterAll(async () => mirror.close());

  const update = (env: NodeJS.ProcessEnv, db: string) =>
    runCli(
      [
        'db',
        'update',
        '--ecosystems',
        'npm',
        '--no-kev',
        '--no-epss',
        '--osv-base-url',
        mirror.url,
        '--db',
        join(dir, db),
      ],
      {
        env: { ...baseEnv, ...env },
        cwd: dir,
      },
    );

  it('go through HTTP_PROXY (and http_proxy)', async () => {
    for (const [name, env] of [
      ['upper.sqlite', { HTTP_PROXY: proxy.url, NO_PROXY: '' }],
      ['lower.sqlite', { http_proxy: proxy.url, no_proxy: 'example.com' }],
    ] as const) {
      const before = mirror.log.length;
      const r = await update(env, name);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(mirror.log.length).toBe(before + 1);
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.join('\n')).toContain(`127.0.0.1:${new URL(mirror.url).port}`);
      proxy.seen.length = 0;
    }
  });

  it('bypass the proxy for hosts in NO_PROXY', async () => {
    const r = await update(
      { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
      'bypass.sqlite',
    );
    expect(r.code).toBe(0);
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy that refuses the connection fails with one line naming the proxy, never its password', async () => {
    const closed = await startProxy();
    const url = closed.url.replace('http://', 'http://user:s3cret@');
    await closed.close();
    const r = await runCli(
      ['db', 'import', `${mirror.url}/npm/all.zip`, '--db', join(dir, 'refused.sqlite')],
      {
        env: { ...baseEnv, HTTP_PROXY: url, NO_PROXY: '' },
        cwd: dir,
      },
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/connection failed through proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\//);
    expect(r.stderr).not.toContain('s3cret');
  }, 60_000);
});

describe('registries', () => {
  const image = buildImage({
    layers: [{ entries: [{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] }],
  });

  function registryHandler(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v2/') return void res.writeHead(200).end('{}');
    if (path === '/v2/app/manifests/v1')
      return void res
        .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
        .end(image.manifest);
    const blob = image.blobs.get(/^\/v2\/app\/blobs\/(.+)$/.exec(path)?.[1] ?? '');
    if (blob) return void res.writeHead(200, { 'content-length': blob.length }).end(blob);
    res.writeHead(404).end();
  }

  async function listen(server: http.Server | https.Server): Promise<number> {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  const sbom = (port: number, env: NodeJS.ProcessEnv) =>
    runCli(['sbom', `registry://127.0.0.1:${port}/app:v1`, '-q', '-f', 'cyclonedx-json'], {
      env: { ...baseEnv, ...env },
      cwd: dir,
    });

  it('a plain-HTTP registry through HTTP_PROXY (TLS tried first through a CONNECT tunnel, as without a proxy)', async () => {
    const server = http.createServer(registryHandler);
    const port = await listen(server);
    try {
      const r = await sbom(port, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(proxy.seen[0]).toBe(`CONNECT 127.0.0.1:${port}`);
      expect(proxy.seen).toContain(`GET http://127.0.0.1:${port}/v2/app/manifests/v1`);
      expect(proxy.seen).toContain(`GET http://127.0.0.1:${port}/v2/app/blobs/${image.layers[0]!.digest}`);

      proxy.seen.length = 0;
      const direct = await sbom(port, {
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
        NO_PROXY: `127.0.0.1:${port}`,
      });
      expect(direct.code).toBe(0);
      expect(proxy.seen).toEqual([]);

      // Without any NO_PROXY, a registry on this machine is reached directly (as Go and Docker do).
      const loopback = await sbom(port, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
      expect(loopback.code).toBe(0);
      expect(proxy.seen).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it.skipIf(!requireCommand('openssl', ['version'], 'TLS registry through a proxy'))(
    'a TLS registry through an HTTPS_PROXY CONNECT tunnel; a 407 is one clear line',
    async () => {
      const { cert, key } = await selfSigned(dir, 'reg', '127.0.0.1', 'IP:127.0.0.1');
      const server = https.createServer(
        { cert: readFileSync(cert), key: readFileSync(key) },
        registryHandler,
      );
      const port = await listen(server);
      try {
        const r = await sbom(port, { HTTPS_PROXY: proxy.url, NO_PROXY: '' });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(proxy.seen.length).toBeGreaterThan(0);
        expect(new Set(proxy.seen)).toEqual(new Set([`CONNECT 127.0.0.1:${port}`]));

        const guarded = await startProxy('u:pw');
        try {
          const refused = await sbom(port, { HTTPS_PROXY: guarded.url, NO_PROXY: '' });
          expect(refused.code).toBe(5);
          expect(refused.stderr).toMatch(
            /^bulwark: proxy http:\/\/127\.0\.0\.1:\d+\/ refused the tunnel to 127\.0\.0\.1:\d+ \(HTTP 407: proxy authentication required\)\n$/,
          );
          const ok = await sbom(port, {
            HTTPS_PROXY: guarded.url.replace('http://', 'http://u:pw@'),
            NO_PROXY: '',
          });
          expect(ok.stderr).toBe('');
          expect(ok.code).toBe(0);
        } finally {
          await guarded.close();
        }
      } finally {
        server.closeAllConnections();
        server.close();
      }
    },
  );
});
