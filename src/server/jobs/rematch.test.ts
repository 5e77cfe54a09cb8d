/**
 * Rematch through the API on both engines, with real vulnerability databases built from OSV documents
 * this test writes: an advisory added opens findings, one removed fixes them, packages the server's
 * database has no data for keep theirs; the job runs in the server's own worker; a second rematch
 * changes nothing; every change is audited and the chain verifies.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importInputs } from '../../db/import.js';
import { deliverDue } from '../webhooks/deliver.js';
import { verifySignature } from '../webhooks/signature.js';
import { startPostgres, type TestPostgres } from '../test-support/postgres.js';
import { startHarness, testEngines, type Harness } from '../test-support/harness.js';

const advisory = (id: string, name: string, fixed: string) => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  summary: `${id} test advisory`,
  affected: [
    {
      package: { ecosystem: 'npm', name },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
    },
  ],
  database_specific: { severity: 'HIGH' },
});

const pkg = (name: string, version: string, type: string, purl: string, path: string) => ({
  id: `${type}-${name}`,
  name,
  version,
  type,
  purl,
  licenses: [],
  locations: [{ path }],
  foundBy: 'test',
});

const SBOM = {
  schema: 'bulwark-sbom/v1',
  tool: { name: 'bulwark', version: '0.0.0' },
  source: { kind: 'directory', target: 'fs://app', path: '/app' },
  packages: [
    pkg('left-pad', '1.0.0', 'npm', 'pkg:npm/left-pad@1.0.0', '/app/node_modules/left-pad/package.json'),
    pkg('requests', '2.0.0', 'pypi', 'pkg:pypi/requests@2.0.0', '/app/requests-2.0.0.dist-info/METADATA'),
  ],
  relationships: [],
  unknowns: [],
  catalogers: [],
};

/** A scan report as a client with PyPI data would push it: the server's database has no PyPI data. */
const REPORT = {
  schema: 'bulwark-scan/v1',
  findings: [
    {
      vulnerabilityId: 'PYSEC-0000-1',
      aliases: ['PYSEC-0000-1'],
      severity: 'medium',
      package: SBOM.packages[1],
    },
  ],
  sbom: SBOM,
};

async function buildDb(dir: string, name: string, docs: object[]): Promise<string> {
  const osv = join(dir, name, 'npm');
  mkdirSync(osv, { recursive: true });
  for (const d of docs) writeFileSync(join(osv, `${(d as { id: string }).id}.json`), JSON.stringify(d));
  const file = join(dir, `${name}.sqlite`);
  await importInputs([osv], { dbPath: file });
  return file;
}

describe.each(testEngines())('rematch on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  let dir: string;
  let live: string;
  let dbB: string;
  let receiver: Server;
  const received: { type: string; signed: boolean; json: { data: Record<string, unknown> } }[] = [];
  let webhookSecret = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-rematch-'));
    if (engine === 'postgres') pg = await startPostgres();
    const common = advisory('GHSA-keep-0000-0001', 'left-pad', '1.0.1');
    const dbA = await buildDb(dir, 'a', [common, advisory('GHSA-gone-0000-0002', 'left-pad', '1.0.2')]);
    live = join(dir, 'live.sqlite');
    await importInputs([dbA], { dbPath: live });
    dbB = await buildDb(dir, 'b', [common, advisory('GHSA-new0-0000-0003', 'left-pad', '2.0.0')]);
    h = await startHarness({
      engine,
      ...(pg ? { pg } : {}),
      vulnDb: live,
      env: { BULWARK_SERVER_JOB_POLL_INTERVAL: '500ms' },
    });
    expect((await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } })).status).toBe(
      201,
    );
    // A webhook receiver on 127.0.0.1 that checks every signature.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sig = verifySignature(
          webhookSecret,
          req.headers['bulwark-signature'] as string | undefined,
          body,
          Math.floor(h.now().getTime() / 1000),
        );
        const json = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        received.push({ type: json.type, signed: sig.ok, json });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = await h.call('POST', '/projects/shop/webhooks', {
      token: h.adminToken,
      body: {
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        events: ['findings.opened', 'findings.fixed', 'rematch.completed'],
      },
    });
    expect(hook.status).toBe(201);
    webhookSecret = hook.body.secret;
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await h?.stop();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitJob(id: string) {
    for (let i = 0; i < 600; i++) {
      const r = await h.call('GET', `/jobs/${id}`, { token: h.adminToken });
      if (r.body.state === 'completed' || r.body.state === 'failed') return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`job ${id} did not finish`);
  }

  const findings = async (repository: string) =>
    (
      await h.call('GET', '/projects/shop/findings', {
        token: h.adminToken,
        query: { repository, limit: '1000' },
      })
    ).body.items as { vulnerabilityId: string; state: string; id: string }[];

  it('opens, fixes and keeps findings after the database changes, once', async () => {
    const admin = h.adminToken;
    for (const repository of ['r/one', 'r/two'])
      expect(
        (await h.call('POST', '/projects/shop/sboms', { token: admin, body: SBOM, query: { repository } }))
          .status,
      ).toBe(201);
    expect(
      (
        await h.call('POST', '/projects/shop/scans', {
          token: admin,
          body: REPORT,
          query: { repository: 'r/pushed' },
        })
      ).status,
    ).toBe(201);
    const before = (await findings('r/one')).map((f) => `${f.vulnerabilityId}:${f.state}`).sort();
    expect(before).toEqual(['GHSA-gone-0000-0002:new', 'GHSA-keep-0000-0001:new']);

    // Same database: the SBOMs the server matched do not change; the pushed report gains the npm
    // findings its client's database did not have, and keeps its PyPI one.
    const noop = await h.call('POST', '/admin/rematch', { token: admin });
    expect(noop.status).toBe(202);
    const first = await waitJob(noop.body.id);
    expect(first.state).toBe('completed');
    expect(first.result).toMatchObject({ repositories: 3, opened: 2, fixed: 0, reopened: 0 });

    // The new database: one advisory withdrawn, one added (installed like db import does: a new file).
    await importInputs([dbB], { dbPath: live });
    const job = await h.call('POST', '/admin/rematch', { token: admin });
    const done = await waitJob(job.body.id);
    expect(done.state).toBe('completed');
    expect(done.attempts).toBe(1);
    // In each of the three repositories GHSA-new opens and GHSA-gone is fixed.
    expect(done.result).toMatchObject({ repositories: 3, opened: 3, fixed: 3, reopened: 0, unreadable: 0 });
    // The uploaded SBOMs and the pushed report's SBOM list the same packages: matched once.
    expect(done.result.distinctSboms).toBe(1);
    for (const repository of ['r/one', 'r/two']) {
      const after = (await findings(repository)).map((f) => `${f.vulnerabilityId}:${f.state}`).sort();
      expect(after).toEqual([
        'GHSA-gone-0000-0002:fixed',
        'GHSA-keep-0000-0001:new',
        'GHSA-new0-0000-0003:new',
      ]);
    }
    // The PyPI finding stays open: the server's database cannot evaluate PyPI packages.
    const pushed = (await findings('r/pushed')).map((f) => `${f.vulnerabilityId}:${f.state}`).sort();
    expect(pushed).toEqual([
      'GHSA-gone-0000-0002:fixed',
      'GHSA-keep-0000-0001:new',
      'GHSA-new0-0000-0003:new',
      'PYSEC-0000-1:new',
    ]);

    // Audited: one entry per change, by system, with the reason.
    const audit = async (action: string) =>
      (await h.call('GET', '/audit', { token: admin, query: { action, limit: '1000' } })).body.items as {
        actor: string;
        reason: string;
        details: Record<string, unknown>;
      }[];
    const opened = (await audit('finding.opened')).filter((a) => a.details.rematch);
    expect(opened).toHaveLength(5);
    expect(opened.every((a) => a.actor === 'system' && /vulnerability database changed/.test(a.reason))).toBe(
      true,
    );
    expect((await audit('finding.fixed')).filter((a) => a.details.rematch)).toHaveLength(3);

    // The webhook receives the rematch's changes, signed: findings opened and fixed, and the summary.
    received.length = 0;
    await deliverDue(
      { store: h.server.services.store, settings: h.config.webhooks, now: () => h.now().toISOString() },
      100,
    );
    expect(received.every((r) => r.signed)).toBe(true);
    const vulnsOf = (type: string) =>
      received
        .filter((r) => r.type === type)
        .flatMap((r) => (r.json.data.findings as { vulnerabilityId: string }[]) ?? [])
        .map((f) => f.vulnerabilityId);
    expect(vulnsOf('findings.opened')).toEqual(expect.arrayContaining(['GHSA-new0-0000-0003']));
    expect(vulnsOf('findings.opened').filter((v) => v === 'GHSA-new0-0000-0003')).toHaveLength(3);
    expect(vulnsOf('findings.fixed').filter((v) => v === 'GHSA-gone-0000-0002')).toHaveLength(3);
    const summaries = received.filter((r) => r.type === 'rematch.completed');
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    // Deliveries run concurrently (and the first rematch's summary may still be due): any order.
    expect(summaries.map((s) => s.json.data)).toContainEqual(
      expect.objectContaining({ opened: 3, fixed: 3 }),
    );

    // Again: nothing left to change.
    const again = await waitJob((await h.call('POST', '/admin/rematch', { token: admin })).body.id);
    expect(again.result).toMatchObject({ opened: 0, fixed: 0, reopened: 0, updated: 0 });
    expect((await audit('rematch.completed')).length).toBe(3);
    expect((await h.call('GET', '/audit/verify', { token: admin })).body.ok).toBe(true);

    // SBOM uploads are matched against the new file too (the server reopened it).
    await h.call('POST', '/projects/shop/sboms', {
      token: admin,
      body: SBOM,
      query: { repository: 'r/three' },
    });
    expect((await findings('r/three')).map((f) => f.vulnerabilityId).sort()).toEqual([
      'GHSA-keep-0000-0001',
      'GHSA-new0-0000-0003',
    ]);
  }, 120_000);

  it('reopens a fixed finding whose advisory comes back', async () => {
    const admin = h.adminToken;
    await importInputs([join(dir, 'a.sqlite')], { dbPath: live });
    // `live` now is database a again (gone is back, new is gone).
    const done = await waitJob((await h.call('POST', '/admin/rematch', { token: admin })).body.id);
    expect(done.state).toBe('completed');
    expect(done.result).toMatchObject({ repositories: 4, reopened: 3, fixed: 4 });
    const after = (await findings('r/one')).map((f) => `${f.vulnerabilityId}:${f.state}`).sort();
    expect(after).toEqual([
      'GHSA-gone-0000-0002:reopened',
      'GHSA-keep-0000-0001:new',
      'GHSA-new0-0000-0003:fixed',
    ]);
  }, 120_000);
});
