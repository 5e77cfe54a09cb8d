/**
 * `bulwark server` through the real binary (bin/bulwark.js; run `npm run build` first): start on a real
 * socket, sign in and push a scan over HTTP, stop on SIGTERM; `migrate`, `create-user`, `audit verify`
 * (with a row tampered in the real database file, and on a real PostgreSQL), `--help`, bad configuration.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../server/config.js';
import { havePostgres, startPostgres, type TestPostgres } from '../../server/test-support/postgres.js';
import { REPO_ROOT } from '../../test-support/images.js';

const BIN = join(REPO_ROOT, 'bin', 'bulwark.js');
const PASSWORD = 'a-long-enough-password';
const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  NO_COLOR: '1',
  BULWARK_SERVER_LOG_LEVEL: 'silent',
  ...extra,
});
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], {
    env: env(extra),
    cwd: dir,
    encoding: 'utf8',
    input: input ?? '',
  });

describe('bulwark server (CLI)', () => {
  it('--help documents every setting, its variable and the subcommands', () => {
    const r = cli(['server', '--help']);
    expect(r.status).toBe(0);
    for (const s of SETTINGS) {
      expect(r.stdout).toContain(s.key);
      expect(r.stdout).toContain(s.env);
    }
    for (const sub of ['migrate', 'create-user', 'audit', 'openapi']) expect(r.stdout).toContain(sub);
  });

  it('migrate creates the embedded database once; create-user reads the password from stdin', () => {
    const data = join(dir, 'm');
    expect(cli(['server', 'migrate', '--data-dir', data]).stdout).toMatch(
      /^applied 001_register(, \d{3}_[\w-]+)* to sqlite:.*register\.sqlite\n$/,
    );
    expect(cli(['server', 'migrate', '--data-dir', data]).stdout).toMatch(/is up to date/);
    const ok = cli(
      ['server', 'create-user', 'alice', '--role', 'security', '--password-stdin', '--data-dir', data],
      {},
      `${PASSWORD}\n`,
    );
    expect(ok.stdout).toBe('created security alice\n');
    const dup = cli(['server', 'create-user', 'alice', '--password-stdin', '--data-dir', data], {}, PASSWORD);
    expect(dup.status).toBe(3);
    expect(dup.stderr).toMatch(/^bulwark: user "alice" exists\n$/);
    const short = cli(['server', 'create-user', 'bob', '--password-stdin', '--data-dir', data], {}, 'short');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const db = new Database(join(data, 'register.sqlite'), { readonly: true });
    const row = db.prepare('select password_hash, role from users where username = ?').get('alice') as {
      password_hash: string;
      role: string;
    };
    db.close();
    expect(row.role).toBe('security');
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('bad configuration: one line, exit 3, no stack trace', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'prot: 80\n');
    const r = cli(['server', '--config', 'bad.yaml']);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('bulwark: bad.yaml: unknown setting "prot"\n');
    const weak = cli(['server', '--data-dir', join(dir, 'w')], { BULWARK_SERVER_ADMIN_PASSWORD: 'short' });
    expect(weak.status).toBe(3);
    expect(weak.stderr).toMatch(
      /^bulwark: BULWARK_SERVER_ADMIN_PASSWORD: password must be at least 12 characters\n$/,
    );
  });

  describe('a running server', () => {
    let child: ChildProcess;
    let base: string;
    const data = join(dir, 'live');
    beforeAll(async () => {
      child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', data], {
        env: env({ BULWARK_SERVER_ADMIN_PASSWORD: PASSWORD }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      base = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
      });
    });
    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it('serves the API on 127.0.0.1: sign in, create a project and a token, push a scan, read findings', async () => {
      const json = { 'content-type': 'application/json' };
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
      const session = { ...json, cookie, 'x-csrf-token': csrfToken };
      expect(
        (await fetch(`${base}/api/v1/projects`, { method: 'POST', headers: session, body: '{"name":"web"}' }))
          .status,
      ).toBe(201);
      const tok = await fetch(`${base}/api/v1/tokens`, {
        method: 'POST',
        headers: session,
        body: '{"name":"ci","scope":"write"}',
      });
      const { token } = (await tok.json()) as { token: string };
      const report = {
        schema: 'bulwark-scan/v1',
        findings: [
          {
            vulnerabilityId: 'CVE-2024-0001',
            severity: 'critical',
            package: {
              name: 'zlib1g',
              version: '1:1.2.13.dfsg-1',
              type: 'deb',
              purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12',
              locations: [{ path: '/var/lib/dpkg/status' }],
            },
          },
        ],
        sbom: {
          schema: 'bulwark-sbom/v1',
          tool: { name: 'bulwark', version: '0' },
          source: { kind: 'directory', target: 'fs://x', path: '/x' },
          packages: [],
          relationships: [],
          unknowns: [],
          catalogers: [],
        },
      };
      const auth = { ...json, authorization: `Bearer ${token}` };
      const push = await fetch(`${base}/api/v1/projects/web/scans?repository=ghcr.io/acme/web&tag=1.0`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(report),
      });
      expect(push.status).toBe(201);
      expect(await push.json()).toMatchObject({ new: 1 });
      const list = (await (
        await fetch(`${base}/api/v1/projects/web/findings`, { headers: auth })
      ).json()) as { items: { package: { purl: string }; slaDueAt: string; firstSeenAt: string }[] };
      expect(list.items[0]!.package.purl).toBe('pkg:deb/debian/zlib1g');
      expect(Date.parse(list.items[0]!.slaDueAt) - Date.parse(list.items[0]!.firstSeenAt)).toBe(
        7 * 86_400_000,
      );
    });

    it('stops cleanly on SIGTERM; audit verify then checks the chain and names a tampered row', async () => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const ok = cli(['server', 'audit', 'verify', '--data-dir', data]);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/^audit log intact: \d+ rows verified, newest [0-9a-f]{64}\n$/);
      const db = new Database(join(data, 'register.sqlite'));
      db.prepare("update audit_log set actor = 'mallory' where seq = 3").run();
      db.close();
      const bad = cli(['server', 'audit', 'verify', '--data-dir', data]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toBe(
        'bulwark: audit log broken at row 3: content does not match its hash (2 rows before it verify)\n',
      );
    });
  });

  describe.skipIf(!havePostgres())('on PostgreSQL', () => {
    let pg: TestPostgres;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(() => pg?.stop());

    it('migrate, create-user and audit verify use --database-url', async () => {
      const url = await pg.newDatabase();
      expect(cli(['server', 'migrate', '--database-url', url]).stdout).toMatch(
        /^applied 001_register(, \d{3}_[\w-]+)* to postgres:\/\//,
      );
      expect(
        cli(
          ['server', 'create-user', 'root', '--role', 'admin', '--password-stdin', '--database-url', url],
          {},
          PASSWORD,
        ).status,
      ).toBe(0);
      expect(cli(['server', 'audit', 'verify', '--database-url', url]).stdout).toMatch(
        /^audit log intact: 1 rows verified, newest [0-9a-f]{64}\n$/,
      );
      const unreachable = cli([
        'server',
        'migrate',
        '--database-url',
        'postgres://u:topsecret@127.0.0.1:1/x',
      ]);
      expect(unreachable.status).toBe(3);
      expect(unreachable.stderr).toMatch(
        /^bulwark: postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: cannot reach the register database/,
      );
      expect(unreachable.stderr).not.toContain('topsecret');
    });
  });
});
