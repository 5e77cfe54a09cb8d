/**
 * Test helpers for registry targets: a real CNCF distribution registry (Debian's docker-registry) on a
 * free loopback port, pushes with skopeo, a Bearer token service signing real JWTs, and small node:http
 * servers for faults a real registry does not produce on demand.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prerequisite } from '../../../test-support/require.js';

const run = promisify(execFile);

export function haveCommand(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * True when docker-registry and skopeo are installed; warns loudly otherwise (fails under
 * `BULWARK_REQUIRE_IMAGES=1`).
 */
export function haveRegistryTools(): boolean {
  const missing = ['docker-registry', 'skopeo'].filter((c) => !haveCommand(c));
  return prerequisite(
    missing.length === 0,
    `real-registry tests: ${missing.join(', ')} not installed (apt-get install docker-registry skopeo).`,
  );
}

/** {@link haveCommand}, as a test prerequisite (skip loudly, or fail under `BULWARK_REQUIRE_IMAGES=1`). */
export function requireCommand(cmd: string, args: string[], what: string): boolean {
  return prerequisite(haveCommand(cmd, args), `${what}: ${cmd} is not installed`);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` (or the host given). */
  readonly host: string;
  stop(): Promise<void>;
}

export interface RegistryConfig {
  readonly dir: string;
  readonly host?: string;
  readonly htpasswd?: string;
  readonly token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  readonly tls?: { cert: string; key: string };
}

/** Start docker-registry with filesystem storage in `dir`; resolves once /v2/ answers. */
export async function startRegistry(cfg: RegistryConfig): Promise<RunningRegistry> {
  const bind = cfg.host ?? '127.0.0.1';
  const port = await freePort(bind === 'localhost' ? '127.0.0.1' : bind);
  mkdirSync(join(cfg.dir, 'data'), { recursive: true });
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(cfg.dir, 'data'))}}, delete: {enabled: true}}`,
    'http:',
    `  addr: ${JSON.stringify(`${bind === 'localhost' ? '127.0.0.1' : bind}:${port}`)}`,
    `  secret: ${randomUUID()}`,
    ...(cfg.tls
      ? [`  tls: {certificate: ${JSON.stringify(cfg.tls.cert)}, key: ${JSON.stringify(cfg.tls.key)}}`]
      : []),
  ];
  if (cfg.htpasswd)
    lines.push('auth:', `  htpasswd: {realm: bulwark-test, path: ${JSON.stringify(cfg.htpasswd)}}`);
  if (cfg.token) {
    const t = cfg.token;
    lines.push(
      'auth:',
      `  token: {realm: ${JSON.stringify(t.realm)}, service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${JSON.stringify(t.rootCertBundle)}}`,
    );
  }
  const config = join(cfg.dir, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const host = `${bind}:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, bind === 'localhost' ? '127.0.0.1' : bind, () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** `skopeo copy` an OCI layout into the registry. Async: the token service may live in this process. */
export async function push(
  layout: string,
  dest: string,
  options: { all?: boolean; creds?: string; tag?: string } = {},
): Promise<void> {
  await run(
    'skopeo',
    [
      '--insecure-policy',
      'copy',
      '-q',
      ...(options.all ? ['--all'] : []),
      '--dest-tls-verify=false',
      ...(options.creds ? ['--dest-creds', options.creds] : []),
      `oci:${layout}:${options.tag ?? 'latest'}`,
      `docker://${dest}`,
    ],
    { timeout: 300_000 },
  );
}

/** A bcrypt htpasswd line (the distribution registry accepts bcrypt only). */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const { stdout } = await run('htpasswd', ['-nbB', user, password]);
  return stdout.trim();
}

/** A self-signed certificate and key (PEM) made with openssl; `san` like `DNS:vm,IP:127.0.0.1`. */
export async function selfSigned(
  dir: string,
  name: string,
  cn: string,
  san?: string,
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    `/CN=${cn}`,
    ...(san ? ['-addext', `subjectAltName=${san}`] : []),
  ]);
  return { cert, key };
}

export interface HttpServer {
  readonly port: number;
  readonly host: string;
  /** Requests seen: method, path, whether an Authorization header came. */
  readonly requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<HttpServer> {
  const requests: HttpServer['requests'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    host,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * A Bearer token service as the distribution registry expects: RS256 JWTs whose `x5c` header carries
 * the signing certificate, which the registry trusts through `rootcertbundle`. Grants every requested
 * action to `user`/`password`; anonymous callers get `pull` on repositories under `public/`.
 */
export async function tokenServer(opts: {
  cert: string;
  key: string;
  service: string;
  issuer: string;
  user: string;
  password: string;
}): Promise<HttpServer> {
  const key = readFileSync(opts.key, 'utf8');
  const der = readFileSync(opts.cert, 'utf8')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
  return serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (u !== opts.user || p.join(':') !== opts.password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = u;
    }
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const [type, name, actions] = s.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const wanted = actions.split(',');
      const granted = user ? wanted : name.startsWith('public/') ? wanted.filter((a) => a === 'pull') : [];
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: opts.issuer,
        sub: user ?? '',
        aud: url.searchParams.get('service') ?? '',
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
}

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
