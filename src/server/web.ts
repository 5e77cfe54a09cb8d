/**
 * The web dashboard's files (built by `npm run build` from `web/` into `dist/web`), served by the server
 * itself: no separate deployment, and no request to any other host.
 *
 * Files are read once at start into memory (the whole dashboard is a few hundred kB) and gzipped once,
 * so a request is a map lookup. Paths are looked up in that map, never joined onto the file system, so
 * no request can reach a file outside the folder. Hashed assets (`/assets/*`) are cached for a year;
 * `index.html` is revalidated on every load, so a new build is picked up at once.
 *
 * Client-side routing: any other GET of a path outside `/api` answers `index.html`, so deep links and
 * reloads work; `/api/…` never falls back (an unknown API path stays a JSON 404).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy of every dashboard response: scripts, styles, fonts and images from this
 * server only, no inline script or style element or attribute, no framing, API calls to this origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every dashboard file (besides the CSP). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.webmanifest']);
const MAX_FILES = 2000;

interface WebFile {
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

/** The dashboard's files, keyed by URL path (`/index.html`, `/assets/index-1a2b3c.js`). */
export interface WebAssets {
  readonly dir: string;
  readonly files: ReadonlyMap<string, WebFile>;
}

/** Where `npm run build` writes the dashboard: `dist/web` of this package (from `src/` or `dist/`). */
export function defaultWebDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');
}

/** Read the built dashboard into memory; `undefined` when it was not built (no `index.html`). */
export function loadWebAssets(dir: string = defaultWebDir()): WebAssets | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, WebFile>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        walk(full);
        continue;
      }
      if (!st.isFile() || files.size >= MAX_FILES) continue;
      const rel = relative(dir, full).split(sep).join('/');
      const ext = extname(name).toLowerCase();
      const body = readFileSync(full);
      const immutable = rel.startsWith('assets/');
      files.set(`/${rel}`, {
        body,
        ...(COMPRESSIBLE.has(ext) && body.length > 512 ? { gzip: gzipSync(body, { level: 9 }) } : {}),
        type: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        // Assets carry their content hash in the name: cache them for a year. Anything else (index.html,
        // the icon) is revalidated so a new build shows at once.
        cacheControl: immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
  };
  walk(dir);
  return { dir, files };
}

/** True for the paths the dashboard's router owns (deep links answer index.html). */
function isUiPath(path: string): boolean {
  if (path === '/api' || path.startsWith('/api/')) return false;
  if (path.startsWith('/assets/')) return false;
  // A missing file (`/robots.txt`, `/x.png`) is a 404, not the app.
  return extname(path) === '';
}

/**
 * Answer a request the API did not route, when it is for the dashboard. Returns false (and sends nothing)
 * for anything else: non-GET methods, `/api/…`, and every path when the dashboard was not built (the
 * caller answers its JSON 404).
 */
export function serveWeb(assets: WebAssets | undefined, req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = req.url.split('?')[0]!.split('#')[0]!;
  if (path === '/api' || path.startsWith('/api/')) return false;
  if (!assets) {
    if (!isUiPath(path)) return false;
    void reply
      .status(404)
      .headers(WEB_SECURITY_HEADERS)
      .type('text/plain; charset=utf-8')
      .send('The Bulwark dashboard was not built: run `npm run build` (the API is at /api/v1).\n');
    return true;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  let file = assets.files.get(decoded);
  if (!file && decoded !== '/index.html' && isUiPath(decoded)) file = assets.files.get('/index.html');
  if (!file) {
    void reply
      .status(404)
      .headers(WEB_SECURITY_HEADERS)
      .type('text/plain; charset=utf-8')
      .send('not found\n');
    return true;
  }
  reply.headers(WEB_SECURITY_HEADERS);
  reply.header('cache-control', file.cacheControl);
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  reply.type(file.type);
  if (req.headers['if-none-match'] === file.etag) {
    void reply.status(304).send();
    return true;
  }
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) reply.header('content-encoding', 'gzip');
  void reply.status(200).send(gzip ? file.gzip : file.body);
  return true;
}
