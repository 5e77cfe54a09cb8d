/**
 * The scheduled database update as a job, against a local OSV mirror on 127.0.0.1 (ecosystems.txt, an
 * npm all.zip, KEV, EPSS): `db-update-interval` queues it, it rebuilds the server's database, and because
 * the data changed it queues a rematch, which opens the finding of the new advisory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import { startServer, staticBody, type TestServer } from '../../db/test-support/http.js';
import { startHarness, type Harness } from '../test-support/harness.js';
import { createJobService, type JobService } from './index.js';

const advisory = (id: string, fixed: string) => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  summary: id,
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
    },
  ],
});

const SBOM = {
  schema: 'bulwark-sbom/v1',
  tool: { name: 'bulwark', version: '0.0.0' },
  source: { kind: 'directory', target: 'fs://app', path: '/app' },
  packages: [
    {
      id: 'p1',
      name: 'left-pad',
      version: '1.0.0',
      type: 'npm',
      purl: 'pkg:npm/left-pad@1.0.0',
      licenses: [],
      locations: [{ path: '/app/node_modules/left-pad/package.json' }],
      foundBy: 'test',
    },
  ],
  relationships: [],
  unknowns: [],
  catalogers: [],
};

describe('db-update job', () => {
  let dir: string;
  let mirror: TestServer;
  let h: Harness;
  let jobs: JobService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-dbupdate-'));
    const osv = join(dir, 'npm');
    mkdirSync(osv);
    writeFileSync(
      join(osv, 'GHSA-old0-0000-0001.json'),
      JSON.stringify(advisory('GHSA-old0-0000-0001', '1.0.1')),
    );
    const vulnDb = join(dir, 'vuln.sqlite');
    await importInputs([osv], { dbPath: vulnDb });
    mirror = await startServer();
    mirror.route('/ecosystems.txt', staticBody('npm\n', '"eco-1"', 'text/plain'));
    const zip = zipSync({
      'GHSA-old0-0000-0001.json': Buffer.from(JSON.stringify(advisory('GHSA-old0-0000-0001', '1.0.1'))),
      'GHSA-new0-0000-0002.json': Buffer.from(JSON.stringify(advisory('GHSA-new0-0000-0002', '1.0.2'))),
    });
    mirror.route('/npm/all.zip', staticBody(zip, '"npm-1"', 'application/zip'));
    mirror.route(
      '/kev.json',
      staticBody(
        JSON.stringify({ catalogVersion: '2024.01.01', vulnerabilities: [] }),
        '"kev-1"',
        'application/json',
      ),
    );
    mirror.route(
      '/epss.csv.gz',
      staticBody(
        gzipSync(
          '#model_version:v1,score_date:2024-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2024-0001,0.1,0.5\n',
        ),
        '"e-1"',
      ),
    );
    // The server runs no jobs itself: this test's job service (with the mirror's URLs) does.
    h = await startHarness({ engine: 'sqlite', vulnDb, env: { BULWARK_SERVER_WORKERS: '0' } });
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } });
    const pushed = await h.call('POST', '/projects/shop/sboms', {
      token: h.adminToken,
      body: SBOM,
      query: { repository: 'r/app' },
    });
    expect(pushed.body.new).toBe(1);
    jobs = createJobService({
      store: h.server.services.store,
      config: { ...h.config, dbUpdateIntervalMs: 3_600_000, jobPollIntervalMs: 500, jobAttempts: 1 },
      now: () => h.now().toISOString(),
      env: {
        BULWARK_OSV_BASE_URL: mirror.url,
        BULWARK_KEV_URL: `${mirror.url}/kev.json`,
        BULWARK_EPSS_URL: `${mirror.url}/epss.csv.gz`,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await jobs?.stop();
    await h?.stop();
    await mirror?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is queued by the schedule, rebuilds the database and queues a rematch that opens the new finding', async () => {
    await jobs.start(1);
    const db = h.server.services.store.db;
    let update;
    for (let i = 0; i < 600; i++) {
      update = await db.selectFrom('jobs').selectAll().where('kind', '=', 'db-update').executeTakeFirst();
      if (update?.state === 'completed' || update?.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(update!.state, update!.error ?? '').toBe('completed');
    expect(update!.created_by).toBe('system');
    const result = JSON.parse(update!.result!) as { rebuilt: boolean; rematchJob: string };
    expect(result.rebuilt).toBe(true);
    expect(mirror.log).toContain('GET /npm/all.zip 200');
    let rematch;
    for (let i = 0; i < 600; i++) {
      rematch = await db
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', result.rematchJob)
        .executeTakeFirst();
      if (rematch?.state === 'completed' || rematch?.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rematch!.state, rematch!.error ?? '').toBe('completed');
    expect(JSON.parse(rematch!.result!)).toMatchObject({ opened: 1, fixed: 0 });
    const findings = (await h.call('GET', '/projects/shop/findings', { token: h.adminToken })).body.items as {
      vulnerabilityId: string;
    }[];
    expect(findings.map((f) => f.vulnerabilityId).sort()).toEqual([
      'GHSA-new0-0000-0002',
      'GHSA-old0-0000-0001',
    ]);
    // Within the interval no second update is queued.
    const updates = await db.selectFrom('jobs').select('id').where('kind', '=', 'db-update').execute();
    expect(updates).toHaveLength(1);
  }, 120_000);
});
