/**
 * Serving the built dashboard: files from memory with their security headers and cache rules, gzip when
 * asked, ETag revalidation, index.html for the app's own URLs, and never for /api or for missing files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type BulwarkServer } from './app.js';
import { loadServerConfig } from './config.js';
import { CONTENT_SECURITY_POLICY, loadWebAssets } from './web.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>';
const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function serverWith(dir: string, webDir: string | false | undefined): Promise<BulwarkServer> {
  const config = loadServerConfig({
    env: {
      HOME: dir,
      BULWARK_SERVER_DATABASE_URL: `sqlite:${join(dir, `r-${Math.random()}.sqlite`)}`,
      BULWARK_SERVER_LOG_LEVEL: 'silent',
    },
    cwd: dir,
  });
  return buildServer({ config, noTimers: true, logger: false, ...(webDir !== undefined ? { webDir } : {}) });
}

describe('dashboard files', () => {
  let dir: string;
  let web: string;
  let server: BulwarkServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-web-'));
    web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), INDEX);
    writeFileSync(join(web, 'assets', 'index-abc123.js'), JS);
    writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await serverWith(dir, web);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (url: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'GET', url, headers });

  it('answers index.html for the app URLs, with the CSP and no caching', async () => {
    for (const url of ['/', '/images?q=x', '/projects/shop/images/abc', '/vulnerabilities/CVE-2024-1']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toBe(INDEX);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|https?:/);
  });

  it('serves hashed assets for a year, gzipped when accepted, and revalidates by ETag', async () => {
    const plain = await get('/assets/index-abc123.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toBe(JS);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const gz = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);
    expect(gz.rawPayload.length).toBeLessThan(JS.length / 10);
    const again = await get('/assets/index-abc123.js', { 'if-none-match': String(plain.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('never answers the app for /api, missing files, other methods or paths outside the folder', async () => {
    const api = await get('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({
      error: { code: 'E_NOT_FOUND', message: 'no route GET /api/v1/nothing-here' },
    });
    expect((await get('/api')).statusCode).toBe(404);
    for (const url of ['/assets/missing.js', '/robots.txt', '/assets/../index.html.bak'])
      expect((await get(url)).statusCode, url).toBe(404);
    // Reaching out of the folder is impossible: paths are keys of the in-memory map, not file names.
    expect((await get('/assets/..%2f..%2fpackage.json')).statusCode).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).body).toBe(INDEX);
    const post = await server.app.inject({ method: 'POST', url: '/images' });
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    // The API still works beside it.
    expect((await get('/api/v1/health')).json()).toMatchObject({ status: 'ok' });
  });

  it('loads nothing from a folder without index.html, and says how to build the dashboard', async () => {
    expect(loadWebAssets(join(dir, 'nothing'))).toBeUndefined();
    const bare = await serverWith(dir, join(dir, 'nothing'));
    try {
      const r = await bare.app.inject({ method: 'GET', url: '/images' });
      expect(r.statusCode).toBe(404);
      expect(r.body).toMatch(/dashboard was not built: run `npm run build`/);
      expect((await bare.app.inject({ method: 'GET', url: '/api/v1/x' })).json().error.code).toBe(
        'E_NOT_FOUND',
      );
    } finally {
      await bare.close();
    }
    const none = await serverWith(dir, false);
    try {
      expect((await none.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    } finally {
      await none.close();
    }
  });
});
