import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_VULNDATA, KEV_FILE, OSV_DIR, zipEcosystem } from '../../db/test-support/shared.js';
import { startServer, staticBody, type TestServer } from '../../db/test-support/http.js';
import { runCli } from '../test-support/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-db-cli-'));
const env = { PATH: process.env.PATH, HOME: dir, BULWARK_CACHE_DIR: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bulwark db without a database', () => {
  it('status and search exit 4 with a hint', async () => {
    for (const argv of [
      ['db', 'status'],
      ['db', 'search', 'lodash'],
    ]) {
      const r = await runCli(argv, { env, cwd: dir });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        /^bulwark: no vulnerability database at .*cache\/db\/bulwark\.sqlite: run `bulwark db update`/,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('bad flags are usage errors', async () => {
    expect((await runCli(['db', 'status', '--max-age', 'soon'], { env, cwd: dir })).code).toBe(2);
    expect((await runCli(['db', 'status', '--format', 'xml'], { env, cwd: dir })).code).toBe(2);
    expect((await runCli(['db', 'import'], { env, cwd: dir })).code).toBe(2);
  });
});

describe.skipIf(!HAVE_VULNDATA)('bulwark db with the shared data', () => {
  const go = join(OSV_DIR, 'Go');
  const maven = join(OSV_DIR, 'Maven');

  beforeAll(async () => {
    const r = await runCli(['db', 'import', go, maven, KEV_FILE], { env, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SOURCE\s+STATUS\s+RECORDS\s+REJECTED\s+WITHDRAWN$/m);
    expect(r.stdout).toMatch(/^osv:Go\s+imported\s+4274\s+0\s+17$/m);
  }, 60_000);

  it('search: golang.org/x/net at an old version is affected by GO-2023-1571, and why', async () => {
    const r = await runCli(
      ['db', 'search', 'golang.org/x/net', 'v0.0.0-20210226172049-e18ecbb05110', '--ecosystem', 'Go'],
      { env, cwd: dir },
    );
    expect(r.code).toBe(0);
    const block = r.stdout.split(/\n(?=\S)/).find((b) => b.startsWith('GO-2023-1571 '))!;
    expect(block).toContain('GO-2023-1571  Go/golang.org/x/net');
    expect(block).toContain('aliases: CVE-2022-41723, GHSA-vvpx-j8f3-3w6h');
    expect(block).toContain(
      'v0.0.0-20210226172049-e18ecbb05110: AFFECTED: introduced 0, fixed 0.7.0: v0.0.0-20210226172049-e18ecbb05110 is in [0, 0.7.0)',
    );
    expect(block).toContain('fixed in: 0.7.0');

    const json = await runCli(
      ['db', 'search', 'golang.org/x/net', 'v0.7.0', '-e', 'Go', '--format', 'json'],
      { env, cwd: dir },
    );
    const parsed = JSON.parse(json.stdout) as {
      hits: { id: string; evaluation: { affected: boolean; reason: string } }[];
    };
    expect(parsed.hits.find((h) => h.id === 'GO-2023-1571')?.evaluation).toMatchObject({
      affected: false,
      reason: 'v0.7.0 is not in [0, 0.7.0)',
    });
    const ids = parsed.hits.map((h) => h.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('search by alias shows the record with KEV data', async () => {
    const r = await runCli(['db', 'search', 'CVE-2021-44228'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GHSA-jfh8-c2jp-5v3q\s+critical 10\.0 \(CVSS 3\.1\)$/m);
    expect(r.stdout).toMatch(/KEV: added 2021-12-10, due 2021-12-24, known ransomware use/);
    const none = await runCli(['db', 'search', 'no-such-package-anywhere'], { env, cwd: dir });
    expect(none).toMatchObject({ code: 0, stdout: 'no records for no-such-package-anywhere\n' });
  });

  it('status: table and JSON; warns when older than --max-age', async () => {
    const t = await runCli(['db', 'status'], { env, cwd: dir });
    expect(t.code).toBe(0);
    expect(t.stderr).toBe('');
    expect(t.stdout).toMatch(/^Schema\s+1/m);
    expect(t.stdout).toMatch(/^osv:Maven\s+33\s+0\s+0\s/m);
    const j = await runCli(['db', 'status', '--format', 'json', '--max-age', '0m'], { env, cwd: dir });
    expect(j.code).toBe(0);
    expect(j.stderr).toMatch(
      /^bulwark: warning: the vulnerability database is .* old \(max age 0m\); run `bulwark db update`\n$/,
    );
    const status = JSON.parse(j.stdout) as {
      stale: boolean;
      counts: { kev: number };
      sources: { key: string }[];
    };
    expect(status.stale).toBe(true);
    expect(status.counts.kev).toBe(1404);
    expect(status.sources.map((s) => s.key)).toEqual(['kev', 'osv:Go', 'osv:Maven']);
  });

  it('the configured db.max-age in .bulwark.yaml applies', async () => {
    const cwd = mkdtempSync(join(dir, 'proj-'));
    writeFileSync(join(cwd, '.bulwark.yaml'), 'db:\n  max-age: 0m\n');
    const r = await runCli(['db', 'status'], { env, cwd });
    expect(r.stderr).toMatch(/max age 0m/);
  });

  describe('update from a mirror configured by environment', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
      server.route('/npm/all.zip', staticBody(zipEcosystem('npm'), '"n1"', 'application/zip'));
    });
    afterAll(async () => server?.close());

    it('downloads the listed ecosystems; network failures exit 5', async () => {
      const mirrorEnv = { ...env, BULWARK_OSV_BASE_URL: server.url, BULWARK_DB: join(dir, 'mirror.sqlite') };
      const ok = await runCli(['db', 'update', '--ecosystems', 'npm', '--no-kev', '--no-epss'], {
        env: mirrorEnv,
        cwd: dir,
      });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^osv:npm\s+imported\s+37\s+0\s+1$/m);
      expect(ok.stdout).toMatch(/database updated: .*mirror\.sqlite/);
      const again = await runCli(['db', 'update', '--ecosystems', 'npm', '--no-kev', '--no-epss'], {
        env: mirrorEnv,
        cwd: dir,
      });
      expect(again.stdout).toMatch(/^osv:npm\s+unchanged\s+37/m);
      expect(again.stdout).toMatch(/database is up to date/);

      const bad = await runCli(['db', 'update', '--ecosystems', 'PyPI', '--no-kev', '--no-epss'], {
        env: mirrorEnv,
        cwd: dir,
      });
      expect(bad.code).toBe(5);
      expect(bad.stderr).toMatch(
        /^bulwark: http:\/\/127\.0\.0\.1:\d+\/PyPI\/all\.zip: HTTP 404 Not Found \(the previous database is unchanged\)\n$/,
      );
    }, 60_000);
  });
});
