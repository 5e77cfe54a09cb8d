/**
 * Offline use: the persistent offline setting (BULWARK_OFFLINE, `db.offline` in .bulwark.yaml), and a
 * machine without internet whose database is more than a day old: the automatic update fails at once on
 * the DNS error, the failure is recorded beside the database, and the next scans do not try again (with a
 * warning) until the back-off has passed. Every server is local; the one unreachable host is
 * `bulwark-test.invalid` (the reserved .invalid TLD never resolves).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { strToU8, zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { updateFailurePath } from '../../db/auto-update.js';
import { startServer, staticBody, type TestServer } from '../../db/test-support/http.js';
import { runCli } from '../test-support/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-offline-'));
const baseEnv = { PATH: process.env.PATH, HOME: dir, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
const UNRESOLVABLE = 'http://bulwark-test.invalid/';
const offlineEnv = {
  ...baseEnv,
  BULWARK_OSV_BASE_URL: UNRESOLVABLE,
  BULWARK_KEV_URL: `${UNRESOLVABLE}kev.json`,
  BULWARK_EPSS_URL: `${UNRESOLVABLE}epss.csv`,
};

const RECORD = {
  schema_version: '1.6.0',
  id: 'GHSA-offl-ine0-0001',
  modified: '2026-01-01T00:00:00Z',
  details: 'A record written by the test.',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
    },
  ],
};
const KEV = JSON.stringify({
  catalogVersion: '2026.01.01',
  dateReleased: '2026-01-01T00:00:00Z',
  count: 0,
  vulnerabilities: [],
});
const EPSS =
  '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\nCVE-2099-0001,0.01,0.5\n';

let work: string;
let dbPath: string;
let fresh: Buffer;

/** A copy of the imported database whose build time is `days` ago. */
function agedDatabase(days: number): void {
  writeFileSync(dbPath, fresh);
  const db = new Database(dbPath);
  db.prepare("UPDATE meta SET value = ? WHERE key = 'built_at'").run(
    new Date(Date.now() - days * 86_400_000).toISOString(),
  );
  db.close();
}

const scan = (env: NodeJS.ProcessEnv, extra: string[] = []) =>
  runCli(['scan', 'sbom://bom.cdx.json', '--db', dbPath, '-f', 'json', ...extra], { env, cwd: work });

beforeAll(async () => {
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  writeFileSync(join(osv, `${RECORD.id}.json`), JSON.stringify(RECORD));
  const built = join(dir, 'built.sqlite');
  const r = await runCli(['db', 'import', osv, '--db', built], { env: baseEnv, cwd: dir });
  expect(r.code).toBe(0);
  fresh = readFileSync(built);
  // Load every module of the scan path once (vitest compiles on first import), so that the timings
  // below measure the network behaviour and not the test runner.
  const warm = join(dir, 'warm');
  mkdirSync(warm);
  writeFileSync(
    join(warm, 'bom.cdx.json'),
    JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }),
  );
  await runCli(['scan', 'sbom://bom.cdx.json', '--db', built, '--offline', '-q'], {
    env: baseEnv,
    cwd: warm,
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  work = mkdtempSync(join(dir, 'w-'));
  dbPath = join(work, 'db', 'bulwark.sqlite');
  mkdirSync(join(work, 'db'));
  writeFileSync(
    join(work, 'bom.cdx.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: [
        {
          type: 'library',
          'bom-ref': 'a',
          name: 'left-pad',
          version: '1.0.0',
          purl: 'pkg:npm/left-pad@1.0.0',
        },
      ],
    }),
  );
});

describe('a machine without internet, database two days old', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => server.close());

  it('fails fast on DNS, records the failure, and the next scan does not try again', async () => {
    agedDatabase(2);
    const t0 = performance.now();
    const first = await scan(offlineEnv);
    const ms = performance.now() - t0;
    expect(first.code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(JSON.parse(first.stdout).findings).toHaveLength(1);
    expect(first.stderr).toMatch(
      /^bulwark: warning: database update failed, using the existing database \(not retried automatically for 6 hour\(s\)\): .*cannot resolve host "bulwark-test\.invalid"/m,
    );
    const marker = JSON.parse(readFileSync(updateFailurePath(dbPath), 'utf8')) as {
      failedAt: string;
      error: string;
    };
    expect(marker.error).toMatch(/DNS lookup failed/);

    // The next run would reach a working mirror, but must not even ask it: the failure is recent.
    const mirrorEnv = {
      ...baseEnv,
      BULWARK_OSV_BASE_URL: server.url,
      BULWARK_KEV_URL: `${server.url}/kev.json`,
      BULWARK_EPSS_URL: `${server.url}/epss.csv`,
    };
    const t1 = performance.now();
    const second = await scan(mirrorEnv);
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(second.code).toBe(0);
    expect(server.log).toEqual([]);
    expect(second.stderr).toMatch(
      /^bulwark: warning: the vulnerability database is 2 day\(s\) old; the automatic update failed 0 minute\(s\) ago \(.*DNS lookup failed.*\), next try in [56] hour\(s\) — run `bulwark db update` to retry now, or set BULWARK_OFFLINE=1 to stop trying\n$/,
    );
    expect(second.stderr.split('\n')).toHaveLength(2);
  });

  it('tries again once the back-off has passed, and a successful update clears the record', async () => {
    agedDatabase(2);
    writeFileSync(
      updateFailurePath(dbPath),
      JSON.stringify({ failedAt: new Date(Date.now() - 7 * 3_600_000).toISOString(), error: 'E_DNS' }),
    );
    server.route('/ecosystems.txt', staticBody('npm\n', '"e1"', 'text/plain'));
    server.route(
      '/npm/all.zip',
      staticBody(
        zipSync({ [`${RECORD.id}.json`]: strToU8(JSON.stringify(RECORD)) }),
        '"n1"',
        'application/zip',
      ),
    );
    server.route('/kev.json', staticBody(KEV, '"k1"', 'application/json'));
    server.route('/epss.csv', staticBody(EPSS, '"p1"', 'text/csv'));
    const mirrorEnv = {
      ...baseEnv,
      BULWARK_OSV_BASE_URL: server.url,
      BULWARK_KEV_URL: `${server.url}/kev.json`,
      BULWARK_EPSS_URL: `${server.url}/epss.csv`,
    };
    const r = await scan(mirrorEnv, ['-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.log.length).toBeGreaterThan(0);
    expect(existsSync(updateFailurePath(dbPath))).toBe(false);
  });
});

describe('the persistent offline setting', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => server.close());
  const mirror = () => ({
    ...baseEnv,
    BULWARK_OSV_BASE_URL: server.url,
    BULWARK_KEV_URL: `${server.url}/kev.json`,
    BULWARK_EPSS_URL: `${server.url}/epss.csv`,
  });

  it('BULWARK_OFFLINE=1 never downloads, like --offline', async () => {
    agedDatabase(3);
    const r = await scan({ ...mirror(), BULWARK_OFFLINE: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(server.log).toEqual([]);
    expect(JSON.parse(r.stdout).findings).toHaveLength(1);
  });

  it('db: {offline: true} in .bulwark.yaml never downloads; BULWARK_OFFLINE=0 overrides it for one run', async () => {
    agedDatabase(3);
    writeFileSync(join(work, '.bulwark.yaml'), 'db:\n  offline: true\n');
    const r = await scan(mirror());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(server.log).toEqual([]);

    const online = await scan({ ...mirror(), BULWARK_OFFLINE: '0' }, ['-q']);
    expect(server.log.length).toBeGreaterThan(0);
    expect(online.stderr).toMatch(/database update failed/);
  });

  it('says what set it when there is no database', async () => {
    writeFileSync(join(work, '.bulwark.yaml'), 'db:\n  offline: true\n');
    const r = await scan(mirror());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^bulwark: no vulnerability database at .* and .*\.bulwark\.yaml: db\.offline is set: import one with/,
    );
    const env = await scan({ ...mirror(), BULWARK_OFFLINE: 'yes' });
    expect(env.code).toBe(4);
    expect(env.stderr).toMatch(/and BULWARK_OFFLINE=yes is set/);
  });

  it('refuses a value it cannot read', async () => {
    agedDatabase(0);
    writeFileSync(join(work, '.bulwark.yaml'), 'db:\n  offline: sometimes\n');
    const r = await scan(mirror());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/db\.offline must be true or false, got "sometimes"\n$/);
    rmSync(join(work, '.bulwark.yaml'));
    const env = await scan({ ...mirror(), BULWARK_OFFLINE: 'perhaps' });
    expect(env.code).toBe(2);
  });
});
