/**
 * The register's main flow through its HTTP API on a real socket (127.0.0.1), on both engines: real
 * SQLite and a real PostgreSQL started for the test. Real data: the debian12-node test image scanned by
 * the CLI against the shared advisory corpus.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagePath, REPO_ROOT } from '../test-support/images.js';
import { verifyAudit } from './audit.js';
import {
  haveScanFixtures,
  scanFixtures,
  startHarness,
  testEngines,
  type Harness,
  PASSWORD,
} from './test-support/harness.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

const DAY = 86_400_000;
const REPO = 'registry.example.com/shop/web';
const ok = haveScanFixtures();

describe.skipIf(!ok).each(testEngines())('register API on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  let report: { findings: { vulnerabilityId: string; package: { name: string; purl: string } }[] } & Record<
    string,
    unknown
  >;
  let reportText: string;
  const tok = {} as Record<'admin' | 'security' | 'security2' | 'dev' | 'viewer' | 'outsider', string>;

  beforeAll(async () => {
    const fx = scanFixtures();
    reportText = fx.scanJson;
    report = JSON.parse(reportText);
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}), listen: true, vulnDb: fx.vulnDb });
    tok.admin = h.adminToken;
    expect((await h.call('POST', '/projects', { token: tok.admin, body: { name: 'shop' } })).status).toBe(
      201,
    );
    expect((await h.call('POST', '/projects', { token: tok.admin, body: { name: 'other' } })).status).toBe(
      201,
    );
    tok.security = await h.user('sam', 'security');
    tok.security2 = await h.user('sue', 'security');
    tok.dev = await h.user('dana', 'developer');
    tok.viewer = await h.user('vic', 'viewer', 'read');
    tok.outsider = await h.user('otto', 'developer');
    for (const [u, p] of [
      ['dana', 'shop'],
      ['vic', 'shop'],
      ['otto', 'other'],
    ])
      expect(
        (await h.call('PUT', `/projects/${p}/members/${u}`, { token: tok.admin, body: {} })).status,
      ).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
    pg?.stop();
  });

  const push = (token: string, body: string, query: Record<string, string> = {}) =>
    h.call('POST', '/projects/shop/scans', {
      token,
      raw: body,
      query: { repository: REPO, environment: 'production', ...query },
    });
  const findings = async (query: Record<string, string> = {}) =>
    (await h.call('GET', '/projects/shop/findings', { token: tok.dev, query: { limit: '1000', ...query } }))
      .body;

  it('serves its health and OpenAPI document without sign-in', async () => {
    const r = await h.call('GET', '/health');
    expect(r.body).toMatchObject({ status: 'ok', engine });
    const doc = await h.call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/v1/projects/{project}/scans'].post.operationId).toBe('pushScan');
  });

  it('ingests a pushed scan report: every finding opens once', async () => {
    const r = await push(tok.dev, reportText);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      new: report.findings.length,
      fixed: 0,
      reopened: 0,
      findings: report.findings.length,
    });
    const list = await findings();
    expect(list.total).toBe(report.findings.length);
    expect(new Set(list.items.map((f: { state: string }) => f.state))).toEqual(new Set(['new']));
    // Stable identity is versionless: every stored PURL lacks the version.
    for (const f of list.items) expect(f.package.purl).not.toContain('@' + f.package.version);
    const images = await h.call('GET', '/projects/shop/images', { token: tok.viewer });
    expect(images.body.items).toHaveLength(1);
    expect(images.body.items[0]).toMatchObject({
      repository: REPO,
      environment: 'production',
      tag: 'latest',
    });
    expect(images.body.items[0].digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a re-scan keeps the identities: nothing new, nothing fixed, history has two scans', async () => {
    const before = await findings();
    const r = await push(tok.dev, reportText);
    expect(r.body).toMatchObject({ new: 0, fixed: 0, unchanged: report.findings.length });
    const after = await findings();
    expect(after.items.map((f: { id: string }) => f.id).sort()).toEqual(
      before.items.map((f: { id: string }) => f.id).sort(),
    );
    const scans = await h.call('GET', '/projects/shop/scans', { token: tok.viewer });
    expect(scans.body.items).toHaveLength(2);
    const one = await h.call('GET', `/projects/shop/scans/${scans.body.items[0].id}`, { token: tok.viewer });
    expect(one.body.reportFindings).toHaveLength(report.findings.length);
    const sbom = await h.call('GET', `/projects/shop/scans/${scans.body.items[0].id}/sbom`, {
      token: tok.viewer,
    });
    expect(sbom.body.schema).toBe('bulwark-sbom/v1');
  });

  it('triage: transitions need a reason, fix-planned a date, not-affected a VEX justification', async () => {
    const f = (await findings({ severity: 'critical' })).items[0];
    const path = `/projects/shop/findings/${f.id}/state`;
    expect((await h.call('POST', path, { token: tok.dev, body: { state: 'triaged' } })).body.error.code).toBe(
      'E_VALIDATION',
    );
    expect(
      (await h.call('POST', path, { token: tok.viewer, body: { state: 'triaged', reason: 'looked at it' } }))
        .status,
    ).toBe(403);
    expect(
      (await h.call('POST', path, { token: tok.dev, body: { state: 'triaged', reason: 'looked at it' } }))
        .body.state,
    ).toBe('triaged');
    const noDate = await h.call('POST', path, {
      token: tok.dev,
      body: { state: 'fix-planned', reason: 'next sprint' },
    });
    expect(noDate.status).toBe(400);
    expect(noDate.body.error.message).toMatch(/plannedFixAt/);
    const planned = await h.call('POST', path, {
      token: tok.dev,
      body: { state: 'fix-planned', reason: 'next sprint', plannedFixAt: '2026-06-20' },
    });
    expect(planned.body).toMatchObject({ state: 'fix-planned', plannedFixAt: '2026-06-20' });
    const manualFix = await h.call('POST', path, {
      token: tok.dev,
      body: { state: 'fixed', reason: 'trust me' },
    });
    expect(manualFix.status).toBe(400);
    const other = (await findings({ severity: 'high' })).items[0];
    const na = `/projects/shop/findings/${other.id}/state`;
    expect(
      (await h.call('POST', na, { token: tok.dev, body: { state: 'not-affected', reason: 'not used' } }))
        .status,
    ).toBe(400);
    const vex = await h.call('POST', na, {
      token: tok.dev,
      body: {
        state: 'not-affected',
        reason: 'the code path is never called',
        justification: 'vulnerable_code_not_in_execute_path',
      },
    });
    expect(vex.body).toMatchObject({
      state: 'not-affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    const detail = await h.call('GET', `/projects/shop/findings/${f.id}`, { token: tok.viewer });
    expect(detail.body.history.map((e: { action: string }) => e.action)).toEqual([
      'finding.opened',
      'finding.transition',
      'finding.transition',
    ]);
    expect(detail.body.history[2]).toMatchObject({
      actor: 'dana',
      reason: 'next sprint',
      details: { from: 'triaged', to: 'fix-planned' },
    });
    expect(detail.body.scans).toHaveLength(2);
  });

  it('a newer scan without a finding marks it fixed; its return reopens it', async () => {
    const target = report.findings.find((f) => f.package.name === 'minimist')!;
    const without = { ...report, findings: report.findings.filter((f) => f !== target) };
    const r1 = await push(tok.dev, JSON.stringify(without));
    expect(r1.body).toMatchObject({ fixed: 1, new: 0 });
    const fixed = (await findings({ state: 'fixed' })).items;
    expect(fixed.map((f: { vulnerabilityId: string }) => f.vulnerabilityId)).toEqual([
      target.vulnerabilityId,
    ]);
    const r2 = await push(tok.dev, reportText);
    expect(r2.body).toMatchObject({ reopened: 1, fixed: 0, new: 0 });
    const again = (await findings({ vulnerability: target.vulnerabilityId })).items;
    expect(again.find((f: { package: { name: string } }) => f.package.name === 'minimist').state).toBe(
      'reopened',
    );
  });

  let acceptanceId = '';
  it('risk acceptance: requested by a developer, approved by another user with the security role', async () => {
    const target = (await findings({ severity: 'medium' })).items[0];
    const expiresAt = new Date(h.now().getTime() + 30 * DAY).toISOString();
    const tooLong = await h.call('POST', '/projects/shop/acceptances', {
      token: tok.dev,
      body: {
        scope: 'repository',
        repository: REPO,
        vulnerabilityId: target.vulnerabilityId,
        reason: 'compensating control',
        expiresAt: '2099-01-01',
      },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/max-acceptance-days/);
    const req = await h.call('POST', '/projects/shop/acceptances', {
      token: tok.dev,
      body: {
        scope: 'repository',
        repository: REPO,
        vulnerabilityId: target.vulnerabilityId,
        reason: 'WAF rule blocks the vector',
        expiresAt,
      },
    });
    expect(req.status).toBe(201);
    expect(req.body.status).toBe('requested');
    acceptanceId = req.body.id;
    // A request changes nothing yet.
    expect((await findings({ vulnerability: target.vulnerabilityId })).items[0].state).toBe('new');
    // The developer lacks the approve permission; the viewer too; an outsider does not even see it.
    expect(
      (
        await h.call('POST', `/acceptances/${acceptanceId}/approve`, {
          token: tok.dev,
          body: { comment: 'self approve' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.call('POST', `/acceptances/${acceptanceId}/approve`, {
          token: tok.outsider,
          body: { comment: 'hello' },
        })
      ).status,
    ).toBe(404);
    const ok2 = await h.call('POST', `/acceptances/${acceptanceId}/approve`, {
      token: tok.security,
      body: { comment: 'reviewed the WAF rule' },
    });
    expect(ok2.status).toBe(200);
    expect(ok2.body).toMatchObject({ status: 'approved', findingsAccepted: expect.any(Number) });
    expect(ok2.body.findingsAccepted).toBeGreaterThan(0);
    const after = (await findings({ vulnerability: target.vulnerabilityId })).items;
    expect(
      after.every(
        (f: { state: string; acceptanceId: string }) =>
          f.state === 'risk-accepted' && f.acceptanceId === acceptanceId,
      ),
    ).toBe(true);
    expect(
      (
        await h.call('POST', `/acceptances/${acceptanceId}/approve`, {
          token: tok.security2,
          body: { comment: 'twice' },
        })
      ).status,
    ).toBe(409);
    // A re-scan keeps it accepted.
    await push(tok.dev, reportText);
    expect((await findings({ vulnerability: target.vulnerabilityId })).items[0].state).toBe('risk-accepted');
    // The VEX export carries the decision.
    const imageId = (await h.call('GET', '/projects/shop/images', { token: tok.viewer })).body.items[0].id;
    const vex = await h.call('GET', `/projects/shop/images/${imageId}/vex`, { token: tok.viewer });
    expect(vex.body['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    const statuses = vex.body.statements.map((s: { status: string }) => s.status).sort();
    expect(statuses).toContain('affected');
    expect(statuses).toContain('not_affected');
  });

  it('the VEX export is applied by bulwark scan --vex: not-affected decisions suppress, accepted risks stay visible', async () => {
    const imageId = (await h.call('GET', '/projects/shop/images', { token: tok.viewer })).body.items[0].id;
    const vex = await h.call('GET', `/projects/shop/images/${imageId}/vex`, { token: tok.viewer });
    const file = join(scanFixtures().dir, `register-${engine}.openvex.json`);
    writeFileSync(file, vex.text);
    const out = execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'bulwark.js'),
        'scan',
        '--db',
        scanFixtures().vulnDb,
        '--offline',
        '-q',
        '-f',
        'json',
        `oci-dir://${imagePath('debian12-node', 'oci')}`,
        '--vex',
        file,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, BULWARK_CACHE_DIR: join(scanFixtures().dir, 'cache') },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const scanned = JSON.parse(out) as {
      findings: {
        vulnerabilityId: string;
        package: { name: string };
        suppressed?: { kind: string; status: string; justification?: string };
      }[];
    };
    const notAffected = (await findings({ state: 'not-affected' })).items;
    expect(notAffected.length).toBeGreaterThan(0);
    for (const f of notAffected) {
      const hit = scanned.findings.find(
        (x) => x.vulnerabilityId === f.vulnerabilityId && x.package.name === f.package.name,
      );
      expect(hit?.suppressed).toMatchObject({
        kind: 'vex',
        status: 'not_affected',
        justification: f.justification,
      });
    }
    const accepted = (await findings({ state: 'risk-accepted' })).items;
    expect(accepted.length).toBeGreaterThan(0);
    for (const f of accepted) {
      const hit = scanned.findings.find(
        (x) => x.vulnerabilityId === f.vulnerabilityId && x.package.name === f.package.name,
      );
      expect(hit).toBeDefined();
      expect(hit!.suppressed).toBeUndefined();
    }
  });

  it('four eyes: the requester cannot approve its own request, even as security; a rejection keeps history', async () => {
    const expiresAt = new Date(h.now().getTime() + 10 * DAY).toISOString();
    const org = await h.call('POST', '/acceptances', {
      token: tok.security,
      body: {
        packagePattern: 'pkg:deb/debian/*',
        vulnerabilityId: 'CVE-2000-0001',
        reason: 'org-wide test',
        expiresAt,
      },
    });
    expect(org.status).toBe(201);
    const self = await h.call('POST', `/acceptances/${org.body.id}/approve`, {
      token: tok.security,
      body: { comment: 'mine' },
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('E_FOUR_EYES');
    const rej = await h.call('POST', `/acceptances/${org.body.id}/reject`, {
      token: tok.security2,
      body: { comment: 'too broad' },
    });
    expect(rej.body.status).toBe('rejected');
    const got = await h.call('GET', `/acceptances/${org.body.id}`, { token: tok.dev });
    expect(got.body.history.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
      'acceptance.requested:sam',
      'acceptance.rejected:sue',
    ]);
    // Developers cannot request organisation-wide acceptances.
    expect(
      (
        await h.call('POST', '/acceptances', {
          token: tok.dev,
          body: { vulnerabilityId: 'CVE-1', reason: 'xyz', expiresAt },
        })
      ).status,
    ).toBe(403);
  });

  it('SLA: open findings past their due date are on the overdue list; an expired acceptance reopens', async () => {
    expect((await h.call('GET', '/findings/overdue', { token: tok.dev })).body.total).toBe(0);
    h.advance(8 * DAY); // past the 7-day critical SLA
    const overdue = await h.call('GET', '/findings/overdue', { token: tok.dev });
    expect(overdue.body.total).toBeGreaterThan(0);
    expect(
      overdue.body.items.every(
        (f: { overdue: boolean; project: string }) => f.overdue && f.project === 'shop',
      ),
    ).toBe(true);
    expect(overdue.body.items.some((f: { severity: string }) => f.severity === 'critical')).toBe(true);
    // The other project's member sees none of them.
    expect((await h.call('GET', '/findings/overdue', { token: tok.outsider })).body.total).toBe(0);
    h.advance(30 * DAY); // past the acceptance's expiry
    const reopened = (await findings({ state: 'reopened' })).items.filter((f: { stateReason: string }) =>
      /expired/.test(f.stateReason),
    );
    expect(reopened.length).toBeGreaterThan(0);
    const acc = await h.call('GET', `/acceptances/${acceptanceId}`, { token: tok.dev });
    expect(acc.body.status).toBe('expired');
  });

  it('matches an uploaded CycloneDX SBOM with the server’s own database, same findings as the CLI', async () => {
    const r = await h.call('POST', '/projects/shop/sboms', {
      token: tok.dev,
      raw: scanFixtures().cyclonedx,
      query: { repository: 'registry.example.com/shop/web-sbom', tag: '1.0' },
    });
    expect(r.status).toBe(201);
    expect(r.body.new).toBe(report.findings.length);
    const got = await h.call('GET', '/projects/shop/findings', {
      token: tok.dev,
      query: { repository: 'registry.example.com/shop/web-sbom', limit: '1000' },
    });
    const key = (f: { vulnerabilityId: string; package: { name: string } }) =>
      `${f.vulnerabilityId} ${f.package.name}`;
    expect(got.body.items.map(key).sort()).toEqual(report.findings.map(key).sort());
    const notSbom = await h.call('POST', '/projects/shop/sboms', {
      token: tok.dev,
      body: { hello: 1 },
      query: { repository: 'x' },
    });
    expect(notSbom.status).toBe(400);
    expect(notSbom.body.error.message).toMatch(/not a Bulwark, CycloneDX or SPDX JSON SBOM/);
  });

  it('refuses bad input with one clear 4xx and never a stack trace', async () => {
    const cases = [
      await push(tok.dev, '{"schema":'),
      await push(tok.dev, JSON.stringify({ schema: 'bulwark-scan/v1', findings: [{}], sbom: {} })),
      await h.call('POST', '/projects/shop/scans', { token: tok.dev, raw: reportText }), // no repository
      await h.call('GET', '/projects/shop/findings', { token: tok.dev, query: { state: 'bogus' } }),
      await h.call('GET', '/nope', { token: tok.dev }),
    ];
    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 400, 404]);
    for (const c of cases) {
      expect(Object.keys(c.body)).toEqual(['error']);
      expect(c.body.error.message).not.toMatch(/\n|at .*\.ts:\d+/);
    }
    expect(cases[1]!.body.error.message).toMatch(/^body\.findings\.0\.vulnerabilityId: /);
    expect(cases[2]!.body.error.message).toMatch(/^query\.repository: /);
  });

  it('tokens: shown once, stored hashed, scoped, revocable, last-used recorded', async () => {
    const s = await h.login('dana', PASSWORD);
    const made = await h.call('POST', '/tokens', {
      ...s,
      body: { name: 'ci-read', scope: 'read', projects: ['shop'] },
    });
    expect(made.body.token).toMatch(/^bwk_/);
    const list = await h.call('GET', '/tokens', s);
    expect(list.text).not.toContain(made.body.token);
    const stored = await h.server.services.store.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', made.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(made.body.token);
    const t = made.body.token;
    expect((await h.call('GET', '/projects/shop/findings', { token: t })).status).toBe(200);
    expect((await push(t, reportText)).status).toBe(403); // read scope
    expect((await h.call('POST', '/tokens', { token: t, body: { name: 'x', scope: 'read' } })).status).toBe(
      403,
    );
    const used = (await h.call('GET', '/tokens', s)).body.items.find(
      (i: { id: string }) => i.id === made.body.id,
    );
    expect(used.lastUsedAt).toBe(h.now().toISOString());
    expect((await h.call('DELETE', `/tokens/${made.body.id}`, s)).body.revokedAt).toBeTruthy();
    expect((await h.call('GET', '/projects/shop/findings', { token: t })).status).toBe(401);
  });

  it('sessions: httpOnly SameSite cookie; cookie writes need the CSRF header; sign-in is rate-limited', async () => {
    const r = await h.call('POST', '/auth/login', { body: { username: 'vic', password: PASSWORD } });
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] as string)[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const s = await h.login('dana', PASSWORD);
    const f = (await findings()).items.find((x: { state: string }) => x.state === 'new');
    const path = `/projects/shop/findings/${f.id}/state`;
    const noCsrf = await h.call('POST', path, {
      cookie: s.cookie,
      body: { state: 'triaged', reason: 'csrf test' },
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('E_CSRF');
    expect(
      (await h.call('POST', path, { ...s, body: { state: 'triaged', reason: 'csrf test' } })).status,
    ).toBe(200);
    const bad = () =>
      h.call('POST', '/auth/login', { body: { username: 'otto', password: 'wrong-password-here' } });
    for (let i = 0; i < h.config.loginAttempts; i++) expect((await bad()).status).toBe(401);
    const limited = await bad();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password is refused until the window passes.
    expect(
      (await h.call('POST', '/auth/login', { body: { username: 'otto', password: PASSWORD } })).status,
    ).toBe(429);
    h.advance(h.config.loginWindowMs + 1000);
    expect(
      (await h.call('POST', '/auth/login', { body: { username: 'otto', password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('the audit log verifies, and names the first row changed behind its back', async () => {
    const v = await h.call('GET', '/audit/verify', { token: tok.admin });
    expect(v.body.ok).toBe(true);
    expect(v.body.rows).toBeGreaterThan(report.findings.length);
    const db = h.server.services.store.db;
    const row = await db
      .selectFrom('audit_log')
      .select(['seq', 'reason'])
      .where('action', '=', 'finding.transition')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    await sql`update audit_log set reason = ${'rewritten'} where seq = ${row.seq}`.execute(db);
    const bad = await verifyAudit(db);
    expect(bad).toMatchObject({
      ok: false,
      firstBad: { seq: row.seq, problem: expect.stringMatching(/hash/) },
    });
    expect((await h.call('GET', '/audit/verify', { token: tok.admin })).body.firstBad.seq).toBe(row.seq);
    await sql`update audit_log set reason = ${row.reason} where seq = ${row.seq}`.execute(db);
    expect((await verifyAudit(db)).ok).toBe(true);
    await sql`delete from audit_log where seq = ${row.seq + 1}`.execute(db);
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      firstBad: { seq: row.seq + 1, problem: 'row missing' },
    });
  });
});
