/**
 * A real register for tests: `buildServer` on a real SQLite file or a real PostgreSQL database, a clock
 * the test can move, and a small client that speaks HTTP either over a real socket on 127.0.0.1 or through
 * Fastify's inject (same routing, hooks and serialisation, no socket).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type BulwarkServer } from '../app.js';
import { loadServerConfig, type ServerConfig } from '../config.js';
import { haveImages, imagePath, REPO_ROOT } from '../../test-support/images.js';
import { haveVulndata, KEV_DIR, osvDir } from '../../match/test-support/vulndata.js';
import { havePostgres, type TestPostgres } from './postgres.js';

export type EngineName = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when installed (and required in CI, see havePostgres). */
export function testEngines(): EngineName[] {
  return havePostgres() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'a-long-enough-password';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (already serialised). */
  raw?: string | Buffer;
  contentType?: string;
  cookie?: string;
  csrf?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface Harness {
  readonly server: BulwarkServer;
  readonly config: ServerConfig;
  /** Base URL when listening on a socket. */
  readonly url?: string;
  /** Move the server's clock. */
  advance(ms: number): void;
  now(): Date;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** Sign in and return the session cookie and CSRF token. */
  login(username: string, password: string): Promise<{ cookie: string; csrf: string }>;
  /** Create a user (as admin) and an API token of theirs. */
  user(username: string, role: string, scope?: string, projects?: string[]): Promise<string>;
  /** An admin API token. */
  readonly adminToken: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly engine: EngineName;
  readonly pg?: TestPostgres;
  readonly listen?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly vulnDb?: string;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-test-'));
  const databaseUrl =
    opts.engine === 'postgres' ? await opts.pg!.newDatabase() : `sqlite:${join(dir, 'register.sqlite')}`;
  const config = loadServerConfig({
    env: {
      HOME: dir,
      BULWARK_SERVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BULWARK_SERVER_DATABASE_URL: databaseUrl,
      BULWARK_SERVER_LOG_LEVEL: 'silent',
      ...(opts.vulnDb ? { BULWARK_SERVER_VULN_DB: opts.vulnDb } : {}),
      ...opts.env,
    },
    cwd: dir,
  });
  let clock = Date.parse('2026-06-01T12:00:00.000Z');
  const server = await buildServer({ config, now: () => new Date(clock), noTimers: true, logger: false });
  let url: string | undefined;
  if (opts.listen) url = await server.app.listen({ host: '127.0.0.1', port: 0 });

  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.cookie) headers.cookie = o.cookie;
    if (o.csrf) headers['x-csrf-token'] = o.csrf;
    let payload: string | Buffer | undefined;
    if (o.raw !== undefined) payload = o.raw;
    else if (o.body !== undefined) payload = JSON.stringify(o.body);
    if (payload !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const qs = o.query ? `?${new URLSearchParams(o.query).toString()}` : '';
    const full = `/api/v1${path}${qs}`;
    if (url) {
      const res = await fetch(`${url}${full}`, {
        method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const text = await res.text();
      const h: Record<string, string | string[]> = {};
      res.headers.forEach((v, k) => (h[k] = v));
      const setCookie = res.headers.getSetCookie();
      if (setCookie.length) h['set-cookie'] = setCookie;
      return { status: res.status, text, body: text ? safeJson(text) : undefined, headers: h };
    }
    const res = await server.app.inject({
      method: method as 'GET',
      url: full,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    return {
      status: res.statusCode,
      text: res.body,
      body: res.body ? safeJson(res.body) : undefined,
      headers: res.headers as Reply['headers'],
    };
  };
  const login = async (username: string, password: string) => {
    const r = await call('POST', '/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    const set = ([] as string[]).concat(r.headers['set-cookie'] as string | string[]);
    const cookie = set.map((c) => c.split(';')[0]).join('; ');
    return { cookie, csrf: r.body.csrfToken as string };
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  const adminTok = await call('POST', '/tokens', { ...admin, body: { name: 'admin', scope: 'admin' } });
  const adminToken = adminTok.body.token as string;
  return {
    server,
    config,
    ...(url ? { url } : {}),
    advance: (ms) => (clock += ms),
    now: () => new Date(clock),
    call,
    login,
    adminToken,
    async user(username, role, scope = 'write', projects) {
      const c = await call('POST', '/users', {
        token: adminToken,
        body: { username, password: PASSWORD, role },
      });
      if (c.status !== 201) throw new Error(`create ${username}: ${c.status} ${c.text}`);
      const s = await login(username, PASSWORD);
      const t = await call('POST', '/tokens', {
        ...s,
        body: { name: `${username}-token`, scope, ...(projects ? { projects } : {}) },
      });
      if (t.status !== 201) throw new Error(`token ${username}: ${t.status} ${t.text}`);
      return t.body.token as string;
    },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ScanFixtures {
  /** The vulnerability database the scan used (Debian:12, npm, KEV from the shared corpus). */
  readonly vulnDb: string;
  /** `bulwark scan -f json` of debian12-node. */
  readonly scanJson: string;
  /** `bulwark sbom -f cyclonedx-json` of the same image. */
  readonly cyclonedx: string;
  readonly dir: string;
}

let fixtures: ScanFixtures | undefined;

/** True when the real image and advisory data exist (tests skip loudly otherwise, fail in CI). */
export function haveScanFixtures(): boolean {
  const ok = haveImages() && haveVulndata();
  if (!ok && process.env.BULWARK_REQUIRE_IMAGES === '1')
    throw new Error('test images or shared vulnerability data missing');
  return ok;
}

/** Scan debian12-node with the real CLI (built: npm run build) once per test file. */
export function scanFixtures(): ScanFixtures {
  if (fixtures) return fixtures;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-fixtures-'));
  const vulnDb = join(dir, 'vuln.sqlite');
  const cli = join(REPO_ROOT, 'bin', 'bulwark.js');
  const env = { ...process.env, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
  const kev = join(KEV_DIR, 'known_exploited_vulnerabilities.json');
  execFileSync(
    process.execPath,
    [cli, 'db', 'import', '--db', vulnDb, osvDir('Debian:12'), osvDir('npm'), kev],
    { env, stdio: 'pipe' },
  );
  const target = `oci-dir://${imagePath('debian12-node', 'oci')}`;
  const scanJson = join(dir, 'scan.json');
  execFileSync(process.execPath, [cli, 'scan', '--db', vulnDb, target, '-f', 'json', '-o', scanJson, '-q'], {
    env,
    stdio: 'pipe',
  });
  const cyclonedx = join(dir, 'sbom.cdx.json');
  execFileSync(process.execPath, [cli, 'sbom', target, '-f', 'cyclonedx-json', '-o', cyclonedx, '-q'], {
    env,
    stdio: 'pipe',
  });
  fixtures = {
    vulnDb,
    scanJson: readFileSync(scanJson, 'utf8'),
    cyclonedx: readFileSync(cyclonedx, 'utf8'),
    dir,
  };
  return fixtures;
}
